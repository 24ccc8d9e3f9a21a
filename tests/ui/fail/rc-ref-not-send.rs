// Mistake: sending an `rc::Ref` to another thread. The `Rc` flavour's weak
// references are neither `Send` nor `Sync`, whatever the referent is (here
// it is `Send + Sync`), like `std::rc::Weak`: another thread could upgrade
// it to an `Rc` and race the owner's reference count.

use std::rc::Rc;
use std::thread;

use weakref::{Header, Referent, rc};

#[derive(Referent)]
struct Obj {
    header: Header,
}

fn main() {
    let obj = Rc::new(Obj {
        header: Header::new(),
    });
    let r = rc::Ref::new(&obj);
    thread::spawn(move || drop(r)).join().unwrap();
}
