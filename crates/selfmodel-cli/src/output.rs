//! Human-readable output.

use selfmodel_core::{AuditEvent, Belief, BeliefType, Purpose};
use serde::Serialize;
use std::fmt::Write as _;

/// Prints a value as pretty JSON on stdout. Characters JSON leaves raw but a terminal acts on
/// or hides (DEL and the C1 controls, bidi controls, zero-width spaces, tags and variation
/// selectors out of place) are written as `\uXXXX` escapes: the same JSON, inert on a terminal.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    crate::write_line(&inert(&serde_json::to_string_pretty(value)?));
    Ok(())
}

/// JSON text with the characters [`print_json`] escapes escaped.
fn inert(json: &str) -> String {
    let escape = |c: char, out: &mut String| {
        for unit in c.encode_utf16(&mut [0; 2]) {
            let _ = write!(out, "\\u{unit:04x}");
        }
    };
    selfmodel_core::text::replace_misplaced(json, |c| c == '\n', escape).into_owned()
}

/// Prints what `read` hands over one item at a time with `print`, stopping the reading as soon
/// as nothing more can be shown: an output error, or stdout closed (`| head`).
pub fn stream<T>(
    read: impl FnOnce(&mut dyn FnMut(T) -> Result<(), selfmodel::VaultError>) -> selfmodel::Result<()>,
    mut print: impl FnMut(T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut failed = None;
    let read = read(&mut |item| {
        failed = print(item).err();
        if failed.is_some() || crate::stdout_closed() {
            return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe).into());
        }
        Ok(())
    });
    if let Some(e) = failed {
        return Err(e);
    }
    if !crate::stdout_closed() {
        read?;
    }
    Ok(())
}

/// A JSON array printed on stdout an element at a time, byte for byte as [`print_json`] prints
/// the whole array: a long listing is written as it is read, never held, in writes of about
/// 64 KiB.
#[derive(Default)]
pub struct JsonArray {
    /// The last element pushed, written once it is known whether another follows.
    pending: Option<String>,
    /// Text not yet written.
    buf: String,
}

/// How much text [`JsonArray`] gathers before writing it.
const JSON_WRITE_BYTES: usize = 64 * 1024;

impl JsonArray {
    /// Adds an element.
    pub fn push<T: Serialize>(&mut self, value: &T) -> anyhow::Result<()> {
        let element = inert(&serde_json::to_string_pretty(value)?)
            .lines()
            .map(|line| format!("  {line}"))
            .collect::<Vec<_>>()
            .join("\n");
        match self.pending.replace(element) {
            Some(before) => {
                self.buf.push_str(&before);
                self.buf.push_str(",\n");
            }
            None => self.buf.push_str("[\n"),
        }
        if self.buf.len() >= JSON_WRITE_BYTES
            && let Some(text) = self.buf.strip_suffix('\n')
        {
            crate::write_line(text);
            self.buf.clear();
        }
        Ok(())
    }

    /// Closes the array.
    pub fn finish(mut self) {
        match self.pending.take() {
            Some(last) => {
                self.buf.push_str(&last);
                self.buf.push_str("\n]");
            }
            None => self.buf.push_str("[]"),
        }
        crate::write_line(&self.buf);
    }
}

/// One line per belief: id, type, confidence, statement.
pub fn belief_table(beliefs: &[Belief]) {
    if beliefs.is_empty() {
        say!("no beliefs match");
        return;
    }
    for b in beliefs {
        let flag = match (b.status.as_str(), b.sensitivity.as_str()) {
            ("active", "normal") => String::new(),
            ("active", s) => format!(" [{s}]"),
            (st, "normal") => format!(" [{st}]"),
            (st, s) => format!(" [{st}, {s}]"),
        };
        say!(
            "{}  {:<20} {:>4.2}  {}{flag}",
            b.id,
            b.category,
            b.confidence,
            b.statement
        );
    }
    say!("{} beliefs", beliefs.len());
}

/// A belief with its evidence, provenance and history.
pub fn belief_detail(b: &Belief) {
    say!("{}", b.statement);
    say!("  id           {}", b.id);
    say!("  category     {}", b.category);
    say!("  confidence   {:.2}", b.confidence);
    let purposes: Vec<&str> = b.purposes.iter().map(String::as_str).collect();
    say!("  purposes     {}", purposes.join(", "));
    say!("  sensitivity  {}", b.sensitivity);
    say!("  status       {}", b.status);
    say!(
        "  provenance   {} via {}",
        b.provenance.actor,
        b.provenance.method
    );
    say!("  created      {}", b.created_at.to_rfc3339());
    say!("  updated      {}", b.updated_at.to_rfc3339());
    if let Some(e) = b.expires_at {
        say!("  expires      {}", e.to_rfc3339());
    }
    match b.confirmed_at {
        Some(c) => say!("  confirmed    {}", c.to_rfc3339()),
        None => say!("  confirmed    never (a proposal)"),
    }
    if b.evidence.is_empty() {
        say!("  evidence     none");
    }
    for e in &b.evidence {
        say!(
            "  evidence     [{}] {} — {} ({})",
            e.kind,
            e.source,
            selfmodel_core::text::one_line(&e.summary),
            e.observed_at.date_naive()
        );
    }
    for r in &b.history {
        say!(
            "  rectified    {} by {}: {} (was: \"{}\", {:.2})",
            r.at.to_rfc3339(),
            r.actor,
            r.reason,
            r.before.statement,
            r.before.confidence
        );
    }
}

/// The belief types.
pub fn types(types: &[BeliefType]) {
    for t in types {
        let purposes: Vec<&str> = t.allowed_purposes.iter().map(String::as_str).collect();
        say!(
            "{:<20} {}{}",
            t.id,
            t.name,
            if t.default_sensitivity.as_str() == "special" {
                " (special category)"
            } else {
                ""
            }
        );
        say!("{:<20} {}", "", t.description);
        say!(
            "{:<20} purposes: {}; kept {} days; reviewed every {} days; shared from confidence {:.2}{}",
            "",
            purposes.join(", "),
            t.retention_days,
            t.review_days,
            t.min_share_confidence,
            if t.evidence_required {
                "; evidence required"
            } else {
                ""
            }
        );
    }
}

/// The purposes.
pub fn purposes(purposes: &[Purpose]) {
    for p in purposes {
        say!(
            "{:<20} {} ({}){}",
            p.id,
            p.name,
            p.dpv_term,
            if p.opt_in { " — opt-in" } else { "" }
        );
        say!("{:<20} {}", "", p.description);
    }
}

/// One line of the audit chain.
pub fn audit_event(e: &AuditEvent) {
    say!(
        "{:>5}  {}  {:<26} {}{}  {}",
        e.seq,
        e.timestamp(),
        e.action,
        e.subject.as_deref().unwrap_or("-"),
        e.detail
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default(),
        &e.hash.to_hex()[..16]
    );
}
