//! The weak set's cases for `Arc` elements only (`Send + Sync`): see
//! `weak_set.rs`.

use weakref::WeakSet;

use super::cases::*;

#[test]
fn send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<WeakSet<Letter>>();
    check::<<&WeakSet<Letter> as IntoIterator>::IntoIter>();
}
