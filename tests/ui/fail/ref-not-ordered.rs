// Mistake: comparing weak references with `<`. Ports CPython's
// test_weakref.ReferencesTestCase.test_ordering: weak references are not
// ordered, even when their referents are (`ref(a) < ref(b)` raises
// `TypeError`); here `Ref<T>` has no `PartialOrd`, even for `T: Ord`.

use std::sync::Arc;

use weakref::{Header, Ref, Referent};

#[derive(Referent, PartialEq, Eq, PartialOrd, Ord)]
struct Num {
    value: u32,
    header: Header,
}

fn main() {
    let a = Arc::new(Num {
        value: 1,
        header: Header::new(),
    });
    let b = Arc::new(Num {
        value: 2,
        header: Header::new(),
    });
    let (r1, r2) = (Ref::new(&a), Ref::new(&b));
    let _ = r1 < r2;
}
