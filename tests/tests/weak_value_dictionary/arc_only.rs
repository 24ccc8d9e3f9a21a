//! The weak-valued dictionary's cases for `Arc` values only (`Send +
//! Sync`): see `weak_value_dictionary.rs`.

use weakref::WeakValueDictionary;

use super::cases::*;

#[test]
fn send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<WeakValueDictionary<String, Object>>();
    check::<<&WeakValueDictionary<String, Object> as IntoIterator>::IntoIter>();
}
