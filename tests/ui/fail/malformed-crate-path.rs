// Mistake: a `crate = "..."` value that is not a path. The error points at
// the string and shows what a path looks like.

use weakref::{Header, Referent};

#[derive(Referent)]
#[referent(crate = "my crate::weakref")]
struct Node {
    header: Header,
}

fn main() {}
