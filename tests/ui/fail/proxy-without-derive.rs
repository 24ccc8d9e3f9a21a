// Mistake: a proxy to an object whose type is not weakly referenceable (no
// header, no `#[derive(Referent)]`). CPython: `weakref.proxy(1)` raises
// `TypeError: cannot create weak reference to 'int' object`.

use std::sync::Arc;

use weakref::proxy;

struct Plain;

fn main() {
    let obj = Arc::new(Plain);
    let _ = proxy(&obj);
}
