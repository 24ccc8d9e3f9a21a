// Mistake: two fields of type `Header`, with nothing to say which one is the
// object's header (its one list of weak references). The error points at the
// second one and asks to mark the header with `#[referent(header)]`; it never
// suggests removing a field, which may be data the struct needs.

use weakref::{Header, Referent};

#[derive(Referent)]
struct Node {
    header: Header,
    name: String,
    backup: Header,
}

fn main() {}
