// Mistake: sending an `rc` weak-valued dictionary to another thread. It
// holds `rc` weak references to its values, so it is neither `Send` nor
// `Sync`, even with `Send` keys.

use std::rc::Rc;
use std::thread;

use weakref::{Header, Referent, rc};

#[derive(Referent)]
struct Value {
    header: Header,
}

fn main() {
    let value = Rc::new(Value {
        header: Header::new(),
    });
    let mut d = rc::WeakValueDictionary::new();
    d.insert(1_u32, &value);
    thread::spawn(move || drop(d)).join().unwrap();
}
