// A user of `weakref-core` alone (no facade): every path below starts with
// `weakref_core::`, the derive included.

use std::sync::Arc;

use weakref_core::{Header, Ref, Referent};

#[derive(weakref_core::Referent)]
struct Qualified {
    header: weakref_core::Header,
}

#[derive(Referent)]
#[referent(callable)]
struct Adder {
    step: i32,
    header: Header,
}

impl weakref_core::Callable for Adder {
    type Args = i32;
    type Output = i32;
    fn call(&self, x: i32) -> i32 {
        x + self.step
    }
}

fn main() {
    let q = Arc::new(Qualified {
        header: Header::new(),
    });
    let r = Ref::new(&q);
    assert!(Ref::ptr_eq(&r, &Ref::new(&q)));
    assert_eq!(weakref_core::getweakrefcount(&q), 1);
    assert!(std::ptr::eq(q.weakref_header(), &q.header));

    let a = Arc::new(Adder {
        step: 2,
        header: Header::new(),
    });
    let r = Ref::new(&a);
    let add = |x| weakref_core::Callable::call(&*r.get().unwrap(), x);
    assert_eq!(add(40), 42);
}
