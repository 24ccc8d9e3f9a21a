// Mistake: `callable` given twice (here in two attributes). The error points
// at the second one and says to remove it.

use weakref::{Callable, Header, Referent};

#[derive(Referent)]
#[referent(callable)]
#[referent(callable)]
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
