#!/usr/bin/env bash
# Leak checks (issue 6): the counting-allocator scenarios of
# tests/tests/leaks.rs, then the same test binary under valgrind memcheck.
#
#   bash scripts/leaks.sh        # full: also a release build under valgrind
#   bash scripts/leaks.sh --ci   # CI: the debug build, normally and under
#                                # valgrind (about a minute from cold)
#
# The test asserts that every scenario returns every byte it allocated.
# Valgrind fails the run on any memory error and on "definitely lost"
# blocks; "still reachable" (std's and the hook's one-time statics) is
# reported but allowed.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
case "${1:-}" in
    --ci) mode=ci ;;
    "") ;;
    *) echo "usage: $0 [--ci]" >&2; exit 2 ;;
esac

if ! command -v valgrind >/dev/null; then
    apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
fi
export CARGO_TARGET_DIR=target/leaks
export CARGO_TERM_COLOR=never

timings=()
step() {
    # step <label> <command...>: runs and times one step
    local label=$1 t0
    shift
    printf '\n---- leaks: %s\n' "$label"
    t0=$(date +%s)
    "$@"
    timings+=("$(printf '%5ss  %s' "$(( $(date +%s) - t0 ))" "$label")")
}

# The path of the leaks test binary that `cargo test <args> --no-run` builds.
binary() {
    cargo test -p weakref-tests --test leaks --locked --no-run --message-format=json "$@" |
        sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1
}

memcheck() {
    # memcheck <profile args...>: the test binary under valgrind
    local exe
    exe=$(binary "$@")
    [ -x "$exe" ] || { echo "leaks test binary not found" >&2; exit 1; }
    # One test thread: the scenarios run on the main thread.
    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite --error-exitcode=1 \
        "$exe" --test-threads=1 --nocapture
}

step "counting allocator (debug)" \
    cargo test -p weakref-tests --test leaks --locked -- --nocapture
step "valgrind memcheck (debug)" memcheck
if [ "$mode" = full ]; then
    step "counting allocator (release)" \
        cargo test -p weakref-tests --test leaks --locked --release -- --nocapture
    step "valgrind memcheck (release)" memcheck --release
fi

printf '\n---- leaks wall times (%s)\n' "$mode"
printf '%s\n' "${timings[@]}"
