// Mistake: a callback of an `Arc` object capturing an `Rc<RefCell<_>>`. An
// `Arc` object's callbacks run on whichever thread drops its last `Arc`, so
// they must be `Send`; the `Rc` flavour (`weakref::rc`) takes callbacks that
// are not.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use weakref::{Header, Ref, Referent};

#[derive(Referent)]
struct Obj {
    header: Header,
}

fn main() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let obj = Arc::new(Obj {
        header: Header::new(),
    });
    let sink = Rc::clone(&log);
    let _r = Ref::with_callback(&obj, move |_| sink.borrow_mut().push("dead"));
}
