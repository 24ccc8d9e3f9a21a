// Mistake: a `WeakValueDictionary` whose values are `Vec<u8>`, a type the
// user does not own, so it can neither hold a header nor derive `Referent`.
// The error says to wrap the value in `weakref::Weakable<Vec<u8>>`.

use weakref::WeakValueDictionary;

/// A cache of byte buffers, held weakly.
pub struct Cache {
    pub buffers: WeakValueDictionary<String, Vec<u8>>,
}

fn main() {}
