// Mistake: a struct with no header field. Python objects are weakly
// referenceable only when their type has a `__weakref__` slot; here the slot
// is a `weakref::Header` field, and the error says to add one.

use weakref::Referent;

#[derive(Referent)]
struct Node {
    name: String,
    children: Vec<String>,
}

fn main() {}
