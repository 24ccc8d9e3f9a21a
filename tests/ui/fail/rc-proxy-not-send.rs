// Mistake: sending an `rc::Proxy` to another thread. The `Rc` flavour's
// proxies are neither `Send` nor `Sync`, whatever the referent is: a call
// through the proxy takes a strong `Rc` for its duration.

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
    let p: rc::Proxy<Obj> = rc::proxy(&obj);
    thread::spawn(move || drop(p)).join().unwrap();
}
