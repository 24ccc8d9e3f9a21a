// Mistake: calling a proxy whose referent is not callable. `proxy` returns a
// `CallableProxy` only for types marked `#[referent(callable)]` that
// implement `Callable` (CPython: only `CallableProxyType` has `__call__`);
// a plain `Proxy` has no `call`.

use std::sync::Arc;

use weakref::{Header, Referent, proxy};

#[derive(Referent)]
struct Plain {
    header: Header,
}

fn main() {
    let obj = Arc::new(Plain { header: Header::new() });
    let p = proxy(&obj);
    let _ = p.call(());
}
