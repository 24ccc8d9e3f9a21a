// Mistake: sharing an `rc` weak set with another thread. It holds `rc`
// weak references to its elements, so it is neither `Send` nor `Sync`
// (here: a `&rc::WeakIdentitySet` moved into a scoped thread needs `Sync`).

use std::rc::Rc;
use std::thread;

use weakref::{Header, Referent, rc};

#[derive(Referent)]
struct Element {
    header: Header,
}

fn main() {
    let element = Rc::new(Element {
        header: Header::new(),
    });
    let mut s = rc::WeakIdentitySet::new();
    s.insert(&element);
    let s = &s;
    thread::scope(|scope| {
        scope.spawn(move || s.len());
    });
}
