// Mistake: sharing an `rc::WeakMethod` between threads. The `Rc` flavour's
// weak methods are neither `Send` nor `Sync`: `call` upgrades to an `Rc` on
// whichever thread calls it.

use std::rc::Rc;
use std::thread;

use weakref::{Header, Referent, rc};

#[derive(Referent)]
struct Label {
    header: Header,
}

impl Label {
    fn len(&self, (): ()) -> usize {
        0
    }
}

fn main() {
    let label = Rc::new(Label {
        header: Header::new(),
    });
    let m = rc::WeakMethod::new(&label, Label::len);
    thread::scope(|s| {
        s.spawn(|| m.call(()));
    });
}
