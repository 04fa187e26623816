//! What the vault's benchmarks share.

use std::time::Duration;

use criterion::Criterion;

/// Ten samples after a second's warm-up, each measured for `measurement`; options given on the
/// command line win.
pub fn config(measurement: Duration) -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(measurement)
        .configure_from_args()
}
