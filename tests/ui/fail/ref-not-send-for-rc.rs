// Mistake: sending to another thread a weak reference whose referent holds
// an `Rc`. `Ref<T>` is `Send` only when `T` is `Send + Sync`, like
// `std::sync::Weak<T>`: another thread could upgrade it and clone the `Rc`.

use std::rc::Rc;
use std::sync::Arc;
use std::thread;

use weakref::{Header, Ref, Referent};

#[derive(Referent)]
struct Local {
    shared: Rc<()>,
    header: Header,
}

fn main() {
    let obj = Arc::new(Local {
        shared: Rc::new(()),
        header: Header::new(),
    });
    let r = Ref::new(&obj);
    thread::spawn(move || drop(r)).join().unwrap();
}
