//! Compile-fail and compile-pass tests of the derive and of the public API's
//! type-level guarantees.
//!
//! Every file under `ui/fail` shows one mistake and has its expected
//! compiler output beside it (`.stderr`); every file under `ui/pass`
//! must compile. To regenerate the `.stderr` files after an intended change
//! to a message, run `TRYBUILD=overwrite cargo test -p weakref-tests --test
//! compiletest` and read the diff.

#[cfg_attr(miri, ignore = "trybuild runs rustc, which miri cannot")]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
    t.pass("ui/pass/*.rs");
}
