// Mistake: a primitive number on the left of a proxy whose referent's type
// has no such operator. `lhs * &proxy` is `lhs * &*referent` (Python's
// `__rmul__`), so `2_i32 * &p` needs `i32: Mul<&Celsius>`; `Celsius` has
// only `i64 * &Celsius`. The error names the missing impl on the referent's
// type, not on the proxy.

use std::ops::Mul;
use std::sync::Arc;

use weakref::{Header, Referent, proxy};

#[derive(Referent)]
struct Celsius {
    degrees: i64,
    header: Header,
}

impl Mul<&Celsius> for i64 {
    type Output = i64;
    fn mul(self, rhs: &Celsius) -> i64 {
        self * rhs.degrees
    }
}

fn main() {
    let t = Arc::new(Celsius { degrees: 21, header: Header::new() });
    let p = proxy(&t);
    let _ = 2_i64 * &p; // fine: `i64 * &Celsius`
    let _ = 2 * &p; // fine: the literal is an `i64`
    let _ = 2_i32 * &p;
}
