// Mistake: sending an `rc::Finalize` to another thread. The `Rc` flavour's
// finalizers are neither `Send` nor `Sync`: `peek` and `detach` give back
// the `Rc`, and the function need not be `Send`.

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
    let f = rc::finalize(&obj, || ());
    thread::spawn(move || f.call()).join().unwrap();
}
