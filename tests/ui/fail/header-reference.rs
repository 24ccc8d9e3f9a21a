// Mistake: the header is a reference to a `Header` stored elsewhere (here a
// `static`), so every object would share it and its weak references.

use weakref::{Header, Referent};

#[derive(Referent)]
struct Node<'a> {
    name: &'a str,
    header: &'static Header,
}

fn main() {}
