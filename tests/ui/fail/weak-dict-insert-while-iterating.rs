// Mistake: inserting into a weak dictionary while iterating over it.
// CPython's test_weakref.py MappingTestCase.test_weak_keys_destroy_while_iterating
// mutates the dictionary inside an iteration; in Rust an iterator borrows
// the dictionary, so a `&mut` call during the iteration does not compile.
// Collect what to change first, then change it.

use std::sync::Arc;

use weakref::{Header, Referent, WeakKeyDictionary};

#[derive(Referent, PartialEq, Eq, Hash)]
struct Key {
    id: u32,
    header: Header,
}

fn main() {
    let keys: Vec<_> = (0..3)
        .map(|id| Arc::new(Key { id, header: Header::new() }))
        .collect();
    let mut d: WeakKeyDictionary<Key, u32> = keys.iter().map(|k| (k, k.id)).collect();
    for (k, v) in d.iter() {
        d.insert(&k, v + 1);
    }
}
