// Mistake: an unknown field attribute (`skip`, as in serde). The error names
// it and lists the attributes the derive knows.

use weakref::{Header, Referent};

#[derive(Referent)]
struct Node {
    header: Header,
    #[referent(skip)]
    cache: Vec<u8>,
}

fn main() {}
