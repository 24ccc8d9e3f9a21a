#!/usr/bin/env bash
# Instructions per operation, counted by valgrind's callgrind (repeatable,
# unlike timings): Ref::get against Weak::upgrade, Ref::new against
# Arc::downgrade. Each figure is (instructions for N ops - for 0 ops) / N.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/bench}
cargo bench -p weakref-tests --bench ops --no-run >/dev/null 2>&1
bin=$(ls -t "$CARGO_TARGET_DIR"/release/deps/ops-* | grep -v '\.d$' | head -1)
n=100000
count() { # op n -> total instructions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for op in ${OPS:-weak_upgrade ref_get weak_upgrade_dead ref_get_dead arc_downgrade ref_new life_0 life_1 life_anchor wvd_get cwvd_get}; do
    base=$(count "$op" 0)
    total=$(count "$op" "$n")
    echo "$op: $(( (total - base) / n )) instructions/op"
done
