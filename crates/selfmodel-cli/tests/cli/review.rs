//! Reviews through the binary: a belief past its type's review interval since the person last
//! confirmed it is listed by `review`, longest overdue first; confirming it resets the clock and
//! is audited; the interval is set per type. Time passing is written into the file directly.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use selfmodel_core::audit::canonical_time;
use serde_json::Value;

use crate::common::{TestVault, rfc3339};

/// Makes the person's last confirmation of `id` lie `days` days in the past.
fn confirmed_days_ago(v: &TestVault, id: &str, days: i64) {
    let at = canonical_time(&(Utc::now() - Duration::days(days)));
    let n = v
        .sql()
        .execute(
            "UPDATE beliefs SET confirmed_at = ?2 WHERE id = ?1",
            [id, at.as_str()],
        )
        .unwrap();
    assert_eq!(n, 1);
}

fn due(v: &TestVault) -> Vec<(String, i64)> {
    let now = Utc::now();
    v.json(&["review", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d: &Value| {
            let since = rfc3339(&d["due_since"]);
            (
                d["id"].as_str().unwrap().to_owned(),
                (now - since.with_timezone(&Utc)).num_days(),
            )
        })
        .collect()
}

#[test]
fn a_belief_past_its_review_interval_is_asked_about_until_confirmed() {
    let v = TestVault::init();
    let hiking = v.add("Enjoys hiking", "interests", "0.8", &[]);
    let marathon = v.add("Training for a marathon", "goals", "0.7", &[]);
    let chess = v.add("Plays chess", "interests", "0.6", &[]);
    let added = rfc3339(&v.show(&hiking)["confirmed_at"]);
    assert!(
        Utc::now() - added.with_timezone(&Utc) < Duration::hours(1),
        "added = confirmed"
    );
    assert!(v.ok(&["review"]).contains("nothing is due"));

    // Interests are reviewed every 180 days, goals every 90.
    confirmed_days_ago(&v, &hiking, 200);
    confirmed_days_ago(&v, &marathon, 100);
    confirmed_days_ago(&v, &chess, 100);
    assert_eq!(
        due(&v),
        [(hiking.clone(), 20), (marathon.clone(), 10)],
        "longest overdue first"
    );
    let text = v.ok(&["review"]);
    assert!(
        text.contains("2 beliefs due") && text.contains("Enjoys hiking"),
        "{text}"
    );

    let events = v.verified_events();
    assert!(
        v.ok(&["review", "confirm", &hiking])
            .contains("confirmed 1 beliefs")
    );
    assert_eq!(v.verified_events(), events + 1);
    let log = v.audit_log();
    let last = log.last().unwrap();
    assert_eq!(
        (last["action"].as_str(), last["subject"].as_str()),
        (Some("belief.confirmed"), Some(hiking.as_str()))
    );
    assert_eq!(due(&v), [(marathon.clone(), 10)]);
    assert_eq!(
        v.show(&hiking)["statement"],
        "Enjoys hiking",
        "content unchanged"
    );

    // A longer interval for goals: nothing is due.
    assert!(
        v.ok(&["types", "set-review", "goals", "120"])
            .contains("120 days")
    );
    assert!(due(&v).is_empty());
    assert_eq!(v.belief_type("goals")["review_days"], 120);

    // Rectifying is confirming.
    confirmed_days_ago(&v, &chess, 400);
    assert_eq!(due(&v).len(), 1);
    v.edit(&chess, &["--confidence", "0.7"], "Still true");
    assert!(due(&v).is_empty());
    assert!(
        v.fail(&["review", "confirm", "--due"])
            .contains("nothing is due")
    );
}

#[test]
fn confirming_is_all_or_nothing_and_only_for_active_beliefs() {
    let v = TestVault::init();
    let a = v.add("Enjoys hiking", "interests", "0.8", &[]);
    let b = v.add("Plays chess", "interests", "0.6", &[]);
    confirmed_days_ago(&v, &a, 300);
    confirmed_days_ago(&v, &b, 300);
    let events = v.verified_events();
    let missing = "00000000-0000-4000-8000-000000000000";
    assert!(
        v.fail(&["review", "confirm", &a, missing])
            .contains(missing)
    );
    assert!(
        v.fail(&["review", "confirm", "not-an-id"])
            .contains("not-an-id")
    );
    assert!(
        v.fail(&["types", "set-review", "goals", "0"])
            .contains("review_days")
    );
    assert!(
        v.fail(&["types", "set-review", "astrology", "30"])
            .contains("astrology")
    );
    assert_eq!(v.verified_events(), events, "nothing written");
    assert_eq!(due(&v).len(), 2);

    // A proposal is accepted, not confirmed.
    v.ok_with_stdin(
        &["import-memories", "--from", "text", "-"],
        "Enjoys sailing\n",
    );
    let pending = v.json(&["inbox", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(v.show(&pending)["confirmed_at"].is_null());
    let refused = v.fail(&["review", "confirm", &pending]);
    assert!(refused.contains("only an active belief"), "{refused}");
    assert!(
        v.ok(&["review", "confirm", "--due"])
            .contains("confirmed 2 beliefs")
    );
    assert!(due(&v).is_empty());
}
