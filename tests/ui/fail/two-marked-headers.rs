// Mistake: `#[referent(header)]` on two fields. Only one field can be the
// header; the error points at the second mark.

use weakref::{Header, Referent};

type Slot = Header;

#[derive(Referent)]
struct Node {
    #[referent(header)]
    first: Slot,
    #[referent(header)]
    second: Slot,
}

fn main() {}
