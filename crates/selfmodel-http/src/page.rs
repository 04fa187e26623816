//! The body of `GET /v1/beliefs`, written from parts each belief renders once.
//!
//! A belief's JSON is the same for every read but for three things its grant decides: which of
//! its purposes are shown, whether its evidence is, and whether it was overdue for review when
//! read. Each belief therefore keeps ([`selfmodel::Disclosed::memo`]) its wire JSON cut around
//! those three, made once per version of the belief by serializing the wire type itself; a page
//! is those parts and the grant's three, concatenated. The bytes are exactly what serializing the
//! whole page as a `wire::BeliefPage` would give (`tests/http/pages.rs`).

use std::sync::Arc;

use selfmodel::{Disclosed, Page};

use crate::wire;

/// One belief's JSON, cut where a read adds its grant's parts.
struct Parts {
    /// From `{` through `"purposes":`.
    head: Box<[u8]>,
    /// From the comma after the purposes through `"review_overdue":`.
    middle: Box<[u8]>,
    /// `,"evidence":[…]`, written only under `read_evidence`.
    evidence: Box<[u8]>,
}

/// Where the grant's parts go: the neutral rendering has no purposes, is not overdue and shows
/// its evidence, and these markers cannot occur earlier in it, since a string's quotes are
/// escaped.
const PURPOSES: &[u8] = b",\"purposes\":[]";
const OVERDUE: &[u8] = b",\"review_overdue\":false";
const EVIDENCE: &[u8] = b",\"evidence\":[";

impl Parts {
    fn of(b: &Disclosed) -> serde_json::Result<Self> {
        let json = serde_json::to_vec(&wire::belief(b))?;
        let cut = |marker: &[u8], from: usize| {
            json[from..]
                .windows(marker.len())
                .position(|w| w == marker)
                .map(|i| from + i)
                .ok_or_else(|| serde::ser::Error::custom("a belief's JSON lacks a field"))
        };
        let purposes = cut(PURPOSES, 0)?;
        let overdue = cut(OVERDUE, purposes)?;
        // Only the evidence may follow: anything else would be left out with it.
        let tail = &json[overdue + OVERDUE.len()..];
        if !(tail == b"}" || tail.starts_with(EVIDENCE)) {
            return Err(serde::ser::Error::custom(
                "a belief's JSON has a field after review_overdue other than evidence",
            ));
        }
        let head_end = purposes + PURPOSES.len() - 2;
        let middle_end = overdue + OVERDUE.len() - "false".len();
        Ok(Self {
            head: json[..head_end].into(),
            middle: json[purposes + PURPOSES.len()..middle_end].into(),
            evidence: json[overdue + OVERDUE.len()..json.len() - 1].into(),
        })
    }
}

/// The memo of a belief: its parts, or why they could not be made.
type Memo = Result<Arc<Parts>, Arc<serde_json::Error>>;

fn render(neutral: &Disclosed) -> Memo {
    Parts::of(neutral).map(Arc::new).map_err(Arc::new)
}

/// Writes one disclosed belief.
fn write_belief(out: &mut Vec<u8>, b: &Disclosed) -> serde_json::Result<()> {
    let parts = b.memo(render);
    let parts = parts.map_err(|e| serde::ser::Error::custom(e.to_string()))?;
    out.extend_from_slice(&parts.head);
    out.push(b'[');
    for (i, p) in b.purposes().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, p)?;
    }
    out.push(b']');
    out.extend_from_slice(&parts.middle);
    out.extend_from_slice(if b.review_overdue() {
        b"true"
    } else {
        b"false"
    });
    if b.evidence().is_some() {
        out.extend_from_slice(&parts.evidence);
    }
    out.push(b'}');
    Ok(())
}

/// The body of a page as its reads share it: rendered once, kept with the page
/// ([`Page::memo`]).
pub fn shared_body(page: &Page) -> Result<axum::body::Bytes, String> {
    page.memo(|p| {
        body(p)
            .map(axum::body::Bytes::from)
            .map_err(|e| e.to_string())
    })
}

/// The JSON of a page: its `wire::BeliefPage`.
pub fn body(page: &Page) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256 + 320 * page.beliefs.len());
    out.extend_from_slice(b"{\"grant_id\":");
    serde_json::to_writer(&mut out, &page.grant_id)?;
    out.extend_from_slice(b",\"purpose\":");
    serde_json::to_writer(&mut out, &page.purpose)?;
    out.extend_from_slice(b",\"beliefs\":[");
    for (i, b) in page.beliefs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_belief(&mut out, b)?;
    }
    out.push(b']');
    if let Some(next) = page.next {
        out.extend_from_slice(b",\"next\":");
        serde_json::to_writer(&mut out, &next.to_string())?;
    }
    out.push(b'}');
    Ok(out)
}
