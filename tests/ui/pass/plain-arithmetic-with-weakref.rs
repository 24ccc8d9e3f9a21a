// Using weakref does not break ordinary arithmetic elsewhere in the crate.
//
// The proxies forward the operators of their referent, and the primitive
// number types take proxies on their right (`2.0 * &p`). Those impls must never
// send the trait solver into a loop while a type is still being inferred:
// once they did, and `sum(&1u32, &2u32)` below failed with E0275 (overflow
// evaluating `&CallableProxy<CallableProxy<...>>: Add<...>`) in every crate
// that merely named `weakref`. Each function below leaves a type to
// inference where an operator trait decides it.

use std::iter::Sum;
use std::ops::{Add, Mul};
use std::sync::Arc;

use weakref::{Header, Referent, proxy};

/// The audit's reproduction: an operator bound on `&T`, `T` inferred.
fn sum<T>(a: &T, b: &T) -> T
where
    for<'x> &'x T: Add<&'x T, Output = T>,
{
    a + b
}

/// By value, and with the output named separately.
fn product<T: Mul<Output = O> + Copy, O>(a: T, b: T) -> O {
    a * b
}

/// A fold over references, as generic numeric code writes it.
fn dot<'a, T>(a: &'a [T], b: &'a [T]) -> T
where
    T: Sum<T> + 'a,
    &'a T: Mul<&'a T, Output = T>,
{
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Arithmetic on a generic `&T` with a right-hand side of another type.
fn scale<T>(value: &T, by: u8) -> T
where
    for<'x> &'x T: Mul<u8, Output = T>,
{
    value * by
}

/// A referent with operators, to use the proxies beside plain arithmetic.
#[derive(Referent)]
struct Meters {
    value: f64,
    header: Header,
}

impl Add<f64> for &Meters {
    type Output = f64;
    fn add(self, rhs: f64) -> f64 {
        self.value + rhs
    }
}

impl Mul<&Meters> for f64 {
    type Output = f64;
    fn mul(self, rhs: &Meters) -> f64 {
        self * rhs.value
    }
}

impl Mul<u8> for &Meters {
    type Output = Meters;
    fn mul(self, rhs: u8) -> Meters {
        Meters {
            value: self.value * f64::from(rhs),
            header: Header::new(),
        }
    }
}

fn main() {
    assert_eq!(sum(&1u32, &2u32), 3);
    assert_eq!(sum(&1.5f64, &2.0), 3.5);
    assert_eq!(sum(&String::from("a").len(), &1), 2);
    assert_eq!(product(6, 7), 42);
    assert_eq!(product(2.5, 2.0), 5.0);
    assert_eq!(dot(&[1, 2, 3], &[4, 5, 6]), 32);
    assert_eq!(dot(&[0.5], &[4.0]), 2.0);
    assert_eq!(scale(&Meters { value: 1.5, header: Header::new() }, 2).value, 3.0);

    // Plain integer and float arithmetic, literals left to inference.
    let (a, b) = (6, 7);
    assert_eq!(a * b, 42);
    assert_eq!(2 * 3 + 4 - 1, 9);
    assert_eq!(7 / 2 % 2, 1);
    assert_eq!(1 << 4 | 1 & 3 ^ 2, 19);
    assert_eq!(-a + !0, -7);
    assert_eq!(1.0 + 2.5 * 2.0, 6.0);
    let x: u64 = 3;
    assert_eq!(x * 2 + &x, 9);
    let mut total = 0;
    for i in 1..=4 {
        total += i * i;
    }
    assert_eq!(total, 30);

    // Iterator sums and products, over values and over references.
    assert_eq!((1..=4).sum::<i32>(), 10);
    assert_eq!([1.5, 2.5].iter().sum::<f64>(), 4.0);
    let v = vec![1u8, 2, 3];
    let s: u32 = v.iter().map(|&b| u32::from(b)).sum();
    assert_eq!(s, 6);
    assert_eq!(v.iter().copied().map(u64::from).product::<u64>(), 6);
    assert_eq!(v.iter().fold(0, |acc, b| acc + b), 6);

    // And the proxies' own operators, beside it: forwarded (`&p + 1.0`) and
    // reflected (`2.0 * &p`), the literal's type inferred from the referent's
    // impls.
    let m = Arc::new(Meters {
        value: 2.0,
        header: Header::new(),
    });
    let p = proxy(&m);
    assert_eq!(&p + 1.0, 3.0);
    assert_eq!((&p * 3).value, 6.0);
    assert_eq!(2.0 * &p, 4.0);
    assert_eq!(1.5 * p.clone() + 1.0, 4.0);
    assert_eq!(sum(&(&p + 0.5), &1.0), 3.5);
    assert_eq!(product(2.0 * &p, 2.0), 8.0);
}
