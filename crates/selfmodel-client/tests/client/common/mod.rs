//! The shared black-box harness (`selfmodel-testkit`).
#![allow(unused_imports)]

pub use selfmodel_testkit::*;

use selfmodel_client::GrantRequest;

/// A grant request of `vendor` (its id doubling as its name) for `purposes` and `categories`.
pub fn request_for<'a>(
    vendor: &str,
    purposes: impl IntoIterator<Item = &'a str>,
    categories: impl IntoIterator<Item = &'a str>,
) -> GrantRequest {
    GrantRequest::new(vendor, vendor, "tests")
        .purposes(purposes)
        .categories(categories)
}
