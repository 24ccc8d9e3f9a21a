// Mistake: `callable` given a value. It is a flag; the error says to write
// `#[referent(callable)]`.

use weakref::{Callable, Header, Referent};

#[derive(Referent)]
#[referent(callable = true)]
struct Doubler {
    header: Header,
}

impl Callable for Doubler {
    type Args = i32;
    type Output = i32;
    fn call(&self, x: i32) -> i32 {
        x * 2
    }
}

fn main() {}
