// The `Rc` flavour's callbacks need not be `Send`: `rc::Ref::with_callback`,
// `rc::proxy_with_callback`, `rc::finalize` and `rc::WeakMethod::with_callback`
// take closures capturing an `Rc<RefCell<_>>`, and run them at the death.

use std::cell::RefCell;
use std::rc::Rc;

use weakref::{Header, Referent, rc};

#[derive(Referent)]
struct Obj {
    n: u32,
    header: Header,
}

impl Obj {
    fn n(&self, (): ()) -> u32 {
        self.n
    }
}

fn main() {
    let log: Rc<RefCell<Vec<&str>>> = Rc::default();
    let obj = Rc::new(Obj {
        n: 7,
        header: Header::new(),
    });

    let sink = Rc::clone(&log);
    let r = rc::Ref::with_callback(&obj, move |_| sink.borrow_mut().push("ref"));
    let sink = Rc::clone(&log);
    let p = rc::proxy_with_callback(&obj, move |_| sink.borrow_mut().push("proxy"));
    let sink = Rc::clone(&log);
    let _f = rc::finalize(&obj, move || sink.borrow_mut().push("finalizer"));
    let sink = Rc::clone(&log);
    let m = rc::WeakMethod::with_callback(&obj, Obj::n, move |_| {
        sink.borrow_mut().push("weak method");
    });

    assert_eq!(p.with(|o| o.n), Ok(7));
    assert_eq!(m.call(()), Ok(7));
    drop(obj);
    // Newest first, each once.
    assert_eq!(
        *log.borrow(),
        ["weak method", "finalizer", "proxy", "ref"]
    );
    assert!(!r.is_alive() && !p.is_alive() && m.call(()).is_err());
    assert_eq!(Rc::strong_count(&log), 1, "every closure was dropped");
}
