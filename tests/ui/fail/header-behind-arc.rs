// Mistake: the header field marked `#[referent(header)]` is an
// `Arc<Header>`. Through deref coercion it would compile, and every clone of
// the struct would share one header, so one list of weak references: a weak
// reference to one copy would die with another. The header must be inline.

use std::sync::Arc;

use weakref::{Header, Referent};

#[derive(Referent)]
struct Node {
    #[referent(header)]
    header: Arc<Header>,
    name: String,
}

fn main() {}
