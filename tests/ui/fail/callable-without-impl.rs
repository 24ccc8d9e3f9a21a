// Mistake: `#[referent(callable)]` on a type that does not implement
// `Callable`. Its proxies would forward calls (Python's
// `CallableProxyType`), so the type must be callable; the error points at
// `callable` in the attribute.

use weakref::{Header, Referent};

#[derive(Referent)]
#[referent(callable)]
struct Doubler {
    header: Header,
}

fn main() {}
