use super::*;

fn chain(n: u64) -> Vec<AuditEvent> {
    let mut out: Vec<AuditEvent> = Vec::new();
    for seq in 1..=n {
        let prev = out.last().map_or(Hash::GENESIS, |e| e.hash);
        let ev = PendingEvent::new(AuditAction::BeliefCreated, Some(format!("b{seq}")));
        out.push(AuditEvent::seal(ev, seq, Utc::now(), prev));
    }
    out
}

#[test]
fn intact_chain_verifies() {
    let c = chain(5);
    assert_eq!(
        verify(&c),
        ChainVerdict::Intact {
            events: 5,
            head: c[4].hash
        }
    );
    assert_eq!(
        verify(&[]),
        ChainVerdict::Intact {
            events: 0,
            head: Hash::GENESIS
        }
    );
}

#[test]
fn alteration_removal_and_reordering_are_named() {
    let mut c = chain(5);
    c[2].subject = Some("other".into());
    assert!(matches!(
        verify(&c),
        ChainVerdict::Broken {
            first_bad_event: 3,
            ..
        }
    ));

    let mut c = chain(5);
    c.remove(1);
    assert!(matches!(
        verify(&c),
        ChainVerdict::Broken {
            first_bad_event: 2,
            ..
        }
    ));

    let mut c = chain(5);
    c.swap(3, 4);
    assert!(matches!(
        verify(&c),
        ChainVerdict::Broken {
            first_bad_event: 4,
            ..
        }
    ));

    let mut c = chain(3);
    c[1].action = "belief.deleted".into();
    assert!(matches!(
        verify(&c),
        ChainVerdict::Broken {
            first_bad_event: 2,
            ..
        }
    ));
}

#[test]
fn canonical_times_are_recognised_and_round_trip() {
    let parse = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| canonical_time(&t.with_timezone(&Utc)))
    };
    // Instants across the range, leap days and the ends of months and days included.
    let mut micros: i64 = 0;
    while micros < 253_402_300_799_999_999 {
        let at = DateTime::from_timestamp_micros(micros).expect("in range");
        let text = canonical_time(&at);
        assert!(is_canonical_time(&text), "{text}");
        assert_eq!(parse(&text).as_deref(), Some(text.as_str()));
        micros += 863_999_999_973 + micros % 7_919;
    }
    for text in [
        "1970-01-01T00:00:00.000000Z",
        "2024-02-29T23:59:59.999999Z",
        "2000-02-29T12:00:00.000001Z",
        "9999-12-31T23:59:59.999999Z",
    ] {
        assert!(is_canonical_time(text), "{text}");
        assert_eq!(parse(text).as_deref(), Some(text));
    }
    // Anything else takes the parser's way; none of these may pass as canonical.
    for text in [
        "2023-02-29T00:00:00.000000Z",
        "2100-02-29T00:00:00.000000Z",
        "2026-04-31T00:00:00.000000Z",
        "2026-13-01T00:00:00.000000Z",
        "2026-00-01T00:00:00.000000Z",
        "2026-01-00T00:00:00.000000Z",
        "2026-01-01T24:00:00.000000Z",
        "2026-01-01T00:60:00.000000Z",
        "2026-01-01T00:00:60.000000Z",
        "2026-01-01t00:00:00.000000Z",
        "2026-01-01T00:00:00.000000z",
        "2026-01-01 00:00:00.000000Z",
        "2026-01-01T00:00:00.000000+00:00",
        "2026-01-01T00:00:00.00000Z",
        "2026-01-01T00:00:00.0000000Z",
        "2026-01-01T00:00:00Z",
        "1969-12-31T23:59:59.999999Z",
        "+2026-01-01T00:00:00.00000Z",
        "2026-01-01T00:00:00.00000aZ",
        "２026-01-01T00:00:00.0000Z",
        "",
    ] {
        assert!(!is_canonical_time(text), "{text}");
    }
}

#[test]
fn the_streamed_check_names_what_verify_names() {
    let c = chain(50);
    let mut altered = c.clone();
    altered[24].detail = Some("n=1".into());
    let mut missing = c.clone();
    missing.remove(30);
    for events in [&c, &altered, &missing] {
        let mut streamed = ChainVerifier::new();
        let mut verdict = None;
        for e in events {
            let at = e.timestamp();
            if let Err(broken) = streamed.check(&EventView::of(e, &at)) {
                verdict = Some(broken);
                break;
            }
        }
        let verdict = verdict.unwrap_or_else(|| streamed.finish());
        assert_eq!(verdict, verify(events.iter()));
    }
    assert_eq!(
        verify(&missing),
        ChainVerdict::Broken {
            first_bad_event: 31,
            reason: "event 31 is missing (found 32 next)".into()
        }
    );
}
