// Mistake: sending an `rc` weak-keyed dictionary to another thread. It holds
// `rc` weak references to its keys (`Rc`s are not thread-safe: another
// thread could upgrade one and race on its reference count), so it is
// neither `Send` nor `Sync`, whatever its key and value types are.

use std::rc::Rc;
use std::thread;

use weakref::{Header, Referent, rc};

#[derive(Referent, PartialEq, Eq, Hash)]
struct Key {
    id: u32,
    header: Header,
}

fn main() {
    let key = Rc::new(Key {
        id: 1,
        header: Header::new(),
    });
    let mut d = rc::WeakKeyDictionary::new();
    d.insert(&key, 1_u32);
    thread::spawn(move || drop(d)).join().unwrap();
}
