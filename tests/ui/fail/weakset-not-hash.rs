// Mistake: hashing a `WeakSet`. Ports CPython's test_weakset.py
// TestWeakSet.test_hash: `hash(WeakSet())` raises `TypeError`, since a weak
// set changes as its elements die. `WeakSet` has no `Hash` impl, whatever
// its element type.

use std::hash::{DefaultHasher, Hash};
use std::sync::Arc;

use weakref::{Header, Referent, WeakSet};

#[derive(Referent, Hash, PartialEq, Eq)]
struct Item {
    header: Header,
}

fn main() {
    let item = Arc::new(Item { header: Header::new() });
    let mut s = WeakSet::new();
    s.insert(&item);
    Hash::hash(&s, &mut DefaultHasher::new());
}
