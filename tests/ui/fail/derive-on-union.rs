// Mistake: `#[derive(Referent)]` on a union. Only structs carry a header;
// the error points at `union Bits` and says to use a struct.

use std::mem::ManuallyDrop;

use weakref::{Header, Referent};

#[derive(Referent)]
union Bits {
    header: ManuallyDrop<Header>,
    word: usize,
}

fn main() {}
