// Mistake: `#[referent(header)]` on the struct. It marks a field; the error
// says to move it onto the header field.

use weakref::{Header, Referent};

#[derive(Referent)]
#[referent(header)]
struct Node {
    slot: Header,
}

fn main() {}
