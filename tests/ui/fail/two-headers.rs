// Mistake: two fields of type `Header`. An object has exactly one list of
// weak references; the error points at the second header field.

use weakref::{Header, Referent};

#[derive(Referent)]
struct Node {
    header: Header,
    name: String,
    backup: Header,
}

fn main() {}
