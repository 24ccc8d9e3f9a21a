// Mistake: the marked header field's type is an alias of `Box<Header>`. The
// derive cannot see through the alias, so the generated code checks the type:
// the error says the header must be a `weakref::Header` itself.

use weakref::{Header, Referent};

type Slot = Box<Header>;

#[derive(Referent)]
struct Node {
    #[referent(header)]
    slot: Slot,
    name: String,
}

fn main() {}
