// Mistake: an unknown struct attribute (`weak` instead of `callable`). The
// error names it and lists the attributes the derive knows.

use weakref::{Header, Referent};

#[derive(Referent)]
#[referent(weak)]
struct Node {
    header: Header,
}

fn main() {}
