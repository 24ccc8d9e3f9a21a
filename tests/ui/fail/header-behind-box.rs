// Mistake: the only header in the struct is a `Box<Header>`. A boxed header
// does not move with its object out of an `Arc`, so a moved-out value would
// keep weak references that are not its own. The header must be inline.

use weakref::{Header, Referent};

#[derive(Referent)]
struct Node {
    name: String,
    header: Box<Header>,
}

fn main() {}
