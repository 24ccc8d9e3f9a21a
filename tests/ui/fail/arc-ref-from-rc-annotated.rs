// Mistake: annotating an `Arc`-flavour `Ref` (`weakref::Ref<Obj>`, whose
// family defaults to `ArcFamily`) and making it from an `Rc`. The pointer
// names the family, so the mismatch names `RcFamily`: the ref wanted is
// `weakref::rc::Ref<Obj>`.

use std::rc::Rc;

use weakref::{Header, Referent};

#[derive(Referent)]
struct Obj {
    header: Header,
}

fn main() {
    let rc = Rc::new(Obj {
        header: Header::new(),
    });
    let r: weakref::Ref<Obj> = weakref::Ref::new(&rc);
    drop(r);
}
