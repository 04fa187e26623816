//! Which beliefs a listing asks for.

use crate::belief::{BeliefId, Sensitivity, Status};

/// Filters for listing beliefs; every `None` matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BeliefFilter {
    /// Only this belief type.
    pub category: Option<String>,
    /// Only beliefs that carry this purpose.
    pub purpose: Option<String>,
    /// Only beliefs at or above this confidence.
    pub min_confidence: Option<f64>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only this sensitivity.
    pub sensitivity: Option<Sensitivity>,
    /// Only beliefs whose statement contains this text (case-insensitive).
    pub search: Option<String>,
    /// Only beliefs of one of these types (empty: any).
    pub categories: Vec<String>,
    /// Only beliefs at or below this sensitivity.
    pub max_sensitivity: Option<Sensitivity>,
    /// Only beliefs at or above their type's minimum confidence for sharing.
    pub shareable: bool,
    /// Only beliefs after this id (a page cursor).
    pub after: Option<BeliefId>,
    /// At most this many.
    pub limit: Option<u64>,
}
