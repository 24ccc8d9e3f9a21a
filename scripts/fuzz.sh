#!/usr/bin/env bash
# Fuzzing and soak (issue 6): the model-checked random-program proptest
# (tests/tests/fuzz_programs.rs) and the bounded-time soak example
# (weakref/examples/soak.rs), both in release.
#
#   bash scripts/fuzz.sh          # 200,000 cases, 60 s soak
#   bash scripts/fuzz.sh --ci     # 10,000 cases, 20 s soak (CI budget: ~5 min cold)
#
# Environment: FUZZ_CASES and SOAK_SECONDS override the counts, SOAK_THREADS
# the soak's threads (default: the machine's parallelism).
set -euo pipefail
cd "$(dirname "$0")/.."

cases=200000
seconds=60
case "${1:-}" in
    --ci) cases=10000; seconds=20 ;;
    "") ;;
    *) echo "usage: $0 [--ci]" >&2; exit 2 ;;
esac
cases=${FUZZ_CASES:-$cases}
seconds=${SOAK_SECONDS:-$seconds}
threads_arg=()
if [ -n "${SOAK_THREADS:-}" ]; then
    threads_arg=(--threads "$SOAK_THREADS")
fi

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/fuzz}
locked=()
if [ -f Cargo.lock ]; then
    locked=(--locked)
fi

start=$(date +%s)
echo "== build (release) =="
cargo test --release "${locked[@]}" -p weakref-tests --test fuzz_programs --no-run
cargo build --release "${locked[@]}" -p weakref --example soak
built=$(date +%s)

echo "== fuzz: $cases random programs (1-4 threads) =="
PROPTEST_CASES=$cases cargo test --release "${locked[@]}" -p weakref-tests --test fuzz_programs \
    -- --test-threads 1 --nocapture random_programs_match_the_model
fuzzed=$(date +%s)

echo "== soak: $seconds s =="
"$CARGO_TARGET_DIR/release/examples/soak" --seconds "$seconds" "${threads_arg[@]}"
soaked=$(date +%s)

echo
echo "fuzz.sh: $cases cases run in $((fuzzed - built)) s; soak $seconds s (wall $((soaked - fuzzed)) s);" \
    "build $((built - start)) s; total $((soaked - start)) s"
