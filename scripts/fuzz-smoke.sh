#!/usr/bin/env bash
# A short fuzzing run of the export-file parser (fuzz/fuzz_targets/import.rs), as CI does it.
# cargo-fuzz needs nightly-only compiler flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain
# accept them. Installs cargo-fuzz when missing. New inputs go to a temporary corpus, so the
# seed corpus in fuzz/corpus/import stays as committed; crashes land in fuzz/artifacts/import.
# Usage: scripts/fuzz-smoke.sh [SECONDS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export RUSTC_BOOTSTRAP=1
cd fuzz
cargo fuzz build import
cargo fuzz run import "$work" corpus/import -- \
    -max_total_time="$seconds" -dict=import.dict -rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1
echo "fuzz smoke run: ${seconds}s without a crash"
