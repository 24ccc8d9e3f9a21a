#!/usr/bin/env bash
# loom model checks of every concurrent protocol (issue 6):
#   weakref-core/tests/loom.rs               the weak reference protocol
#   weakref-collections/tests/loom_deaths.rs the dictionaries' death ledger
#   weakref-collections/tests/loom_concurrent.rs ConcurrentWeakValueDictionary:
#                                            shard locks, ledger, once-per-key loads
#
# Usage: bash scripts/loom.sh [--ci]
#   (no flag)  full: every interleaving, no preemption bound (but 4 for the
#              six models too large for that: the four three-thread core
#              models, and two of the dictionaries'); ~3 min warm
#   --ci       LOOM_MAX_PREEMPTIONS=3: ~2 min from cold on 2 cores, nearly all
#              of it compiling; the models themselves take about a second
# LOOM_MAX_PREEMPTIONS in the environment overrides both.
# loom is an ordinary (cfg(loom)) dependency: nothing to install.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
case "${1:-}" in
    --ci) mode=ci ;;
    "") ;;
    *) echo "usage: $0 [--ci]" >&2; exit 2 ;;
esac

export RUSTFLAGS="--cfg loom"
export CARGO_TARGET_DIR=target/loom
if [ "$mode" = ci ]; then
    export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-3}"
fi
echo "loom ($mode mode): LOOM_MAX_PREEMPTIONS=${LOOM_MAX_PREEMPTIONS:-unbounded}"

start=$(date +%s)
cargo test -p weakref-core --test loom --release --locked
cargo test -p weakref-collections --test loom_deaths --release --locked
cargo test -p weakref-collections --test loom_concurrent --release --locked
echo "loom ($mode mode): all models passed in $(( $(date +%s) - start ))s wall time"
