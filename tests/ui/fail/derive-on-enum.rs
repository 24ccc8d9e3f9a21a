// Mistake: `#[derive(Referent)]` on an enum. Only structs carry a header;
// the error points at `enum Shape` and says to use a struct.

use weakref::{Header, Referent};

#[derive(Referent)]
enum Shape {
    Circle(Header),
    Square(Header),
}

fn main() {}
