// Mistake: a weak reference to an object whose type has no header and no
// `#[derive(Referent)]`. In Python, `weakref.ref(1)` raises `TypeError:
// cannot create weak reference to 'int' object`; here it is a compile error
// (the `Referent` trait's `on_unimplemented` message), and it says how to
// make the type weakly referenceable.

use std::sync::Arc;

use weakref::Ref;

struct Plain;

fn main() {
    let obj = Arc::new(Plain);
    let _ = Ref::new(&obj);
}
