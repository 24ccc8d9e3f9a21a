// Mistake: a unit struct cannot hold a header, so it cannot be a referent
// (Python: `weakref.ref(None)` raises `TypeError`, an object without a
// `__weakref__` slot). The error is the missing-header one.

use weakref::Referent;

#[derive(Referent)]
struct Marker;

fn main() {}
