//! The shared black-box harness (`selfmodel-testkit`).
#![allow(unused_imports)]

pub use selfmodel_testkit::*;
