// Mistake: the marked header is an `Option<Header>`. An object's header must
// always be there, inline: the error says the field's type must be `Header`.

use weakref::{Header, Referent};

#[derive(Referent)]
struct Node {
    #[referent(header)]
    header: Option<Header>,
}

fn main() {}
