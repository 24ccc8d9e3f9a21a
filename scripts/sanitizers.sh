#!/usr/bin/env bash
# ThreadSanitizer and AddressSanitizer runs of the test suite (issue 6).
#
#   bash scripts/sanitizers.sh        # full: TSan and ASan on every crate's
#                                     # unit tests and every integration test
#   bash scripts/sanitizers.sh --ci   # CI: TSan on the core, collections and
#                                     # proxy unit tests and the thread tests;
#                                     # ASan on the core and collections tests
#                                     # and every weakref-tests file
#
# Both use the installed nightly with -Zbuild-std, so std itself is
# instrumented (TSan needs that: an uninstrumented std's atomics and locks
# look like races). `--target` keeps RUSTFLAGS off the host build (the
# weakref-derive proc macro). `--lib --tests` skips the doctests. Excluded:
# trybuild's compiletest (it runs rustc) and the loom models (built only
# under --cfg loom; scripts/loom.sh runs them). ASan also runs LeakSanitizer
# at exit. A report fails the run (halt_on_error, non-zero exit).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
case "${1:-}" in
    --ci) mode=ci ;;
    "") ;;
    *) echo "usage: $0 [--ci]" >&2; exit 2 ;;
esac

nightly=${NIGHTLY:-nightly}
target=x86_64-unknown-linux-gnu
rustup component add --toolchain "$nightly" rust-src >/dev/null
export CARGO_TERM_COLOR=never
here=$(pwd)

# Integration test files of weakref-tests: the thread tests, or all of
# them but trybuild's compiletest.
thread_tests=(stress callbacks dictionary_threads proxy_threads hashing)
all_tests=()
for f in tests/tests/*.rs; do
    name=$(basename "$f" .rs)
    [ "$name" = compiletest ] || all_tests+=("$name")
done
as_args() { for t in "$@"; do printf -- '--test\n%s\n' "$t"; done; }

timings=()
run() {
    # run <sanitizer> <label> <cargo test args...>
    local san=$1 label=$2 t0
    shift 2
    printf '\n---- %s: %s\n' "$san" "$label"
    t0=$(date +%s)
    # `--cfg sanitizer`: the few tests that cannot hold under a sanitizer's
    # allocator (ASan quarantines freed blocks, so an address is not reused
    # at once; a test that leaks by design) say so with it.
    RUSTFLAGS="-Zsanitizer=$san --cfg sanitizer" RUSTDOCFLAGS="-Zsanitizer=$san --cfg sanitizer" \
        CARGO_TARGET_DIR="target/${san:0:1}san" \
        cargo +"$nightly" test -Zbuild-std --target "$target" --locked "$@"
    timings+=("$(printf '%5ss  %s: %s' "$(( $(date +%s) - t0 ))" "$san" "$label")")
}

# TSan: stop at the first report. The suppressions file lists known false
# positives in std, each with its reason (none needed so far).
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$here/scripts/tsan.supp"
# ASan: stop at the first report; LeakSanitizer on at exit.
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 detect_stack_use_after_return=1"

if [ "$mode" = ci ]; then
    mapfile -t tsan_tests < <(as_args "${thread_tests[@]}")
    mapfile -t asan_tests < <(as_args "${all_tests[@]}")
    run thread "core, collections, proxy (unit and integration)" \
        -p weakref-core -p weakref-collections -p weakref-proxy --lib --tests
    run thread "thread tests: ${thread_tests[*]}" -p weakref-tests "${tsan_tests[@]}"
    run address "core, collections (unit and integration)" \
        -p weakref-core -p weakref-collections --lib --tests
    run address "all weakref-tests but compiletest" -p weakref-tests "${asan_tests[@]}"
else
    mapfile -t every_test < <(as_args "${all_tests[@]}")
    for san in thread address; do
        run "$san" "core, collections, proxy (unit and integration)" \
            -p weakref-core -p weakref-collections -p weakref-proxy --lib --tests
        run "$san" "all weakref-tests but compiletest" -p weakref-tests "${every_test[@]}"
    done
fi

printf '\n---- sanitizer wall times (%s)\n' "$mode"
printf '%s\n' "${timings[@]}"
