//! What proxies forward to their referent: comparisons, `Display`, the
//! arithmetic and bit operators, with the proxy on the left (`&p * 2`) or,
//! reflected, on the right of a primitive number (`2 * &p`); and how each
//! fails once the referent is gone (the std trait panics with
//! `ReferenceError::MESSAGE` at the caller's line, the `try_` form returns
//! `Err(ReferenceError)`). Every proxy type of every pointer family runs the
//! same tests. Ports CPython's `test_proxy_div`, `test_proxy_deletion`,
//! `test_proxy_iter` and `test_newstyle_number_ops` (tests/CPYTHON.md lists
//! the others: `test_proxy_hash` is `ui/fail/proxy-hash-key.rs`).

use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, BitAnd, BitOr, BitXor, Div, Mul, Neg, Not, Rem, Shl, Shr, Sub};
use std::panic::{self, AssertUnwindSafe, catch_unwind, resume_unwind};
use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError};

use weakref::ops::{Forward, Operator, Reflected};
use weakref::{
    ArcFamily, Callable, CallableProxy, Header, Proxy, RcFamily, Ref, ReferenceError, Referent,
    Weakable, proxy, proxy_with_callback,
};

/// A number-like referent, callable so that both proxy types can wrap it.
#[derive(Referent, Debug, PartialEq, PartialOrd)]
#[referent(callable)]
struct Num {
    v: i64,
    header: Header,
}

fn num(v: i64) -> Arc<Num> {
    Arc::new(Num {
        v,
        header: Header::new(),
    })
}

impl Callable for Num {
    type Args = i64;
    type Output = i64;
    fn call(&self, x: i64) -> i64 {
        self.v * x
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Num({})", self.v)
    }
}

macro_rules! num_ops {
    ($($Trait:ident $method:ident $op:tt),*) => {$(
        impl $Trait<i64> for &Num {
            type Output = i64;
            fn $method(self, rhs: i64) -> i64 { self.v $op rhs }
        }
        // Another operand type and another output: `Num op &Num -> Num`.
        impl $Trait<&Num> for &Num {
            type Output = Arc<Num>;
            fn $method(self, rhs: &Num) -> Arc<Num> { num(self.v $op rhs.v) }
        }
        // Reflected: `i64 op &Num`, Python's `__rop__`.
        impl $Trait<&Num> for i64 {
            type Output = i64;
            fn $method(self, rhs: &Num) -> i64 { self $op rhs.v }
        }
    )*};
}
num_ops!(Add add +, Sub sub -, Mul mul *, Div div /, Rem rem %, BitAnd bitand &,
    BitOr bitor |, BitXor bitxor ^, Shl shl <<, Shr shr >>);

impl Neg for &Num {
    type Output = i64;
    fn neg(self) -> i64 {
        -self.v
    }
}

impl Not for &Num {
    type Output = i64;
    fn not(self) -> i64 {
        !self.v
    }
}

/// Runs `f`, which must panic, and returns the panic message.
fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f))
        .err()
        .expect("the operation should have panicked");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(ToString::to_string))
        .expect("a string panic message")
}

/// Asserts that `f` panics with the ReferenceError message.
#[track_caller]
fn assert_dead<R>(f: impl FnOnce() -> R) {
    assert_eq!(panic_message(f), ReferenceError::MESSAGE);
}

/// The whole forwarding contract, for one proxy type of one pointer family
/// (`$Ptr` is `Arc` or `Rc`).
macro_rules! forwarding_tests {
    ($module:ident, $Ty:ident, $Family:ty, $Ptr:ident) => {
        mod $module {
            use super::*;

            type Px = $Ty<Num, $Family>;

            /// A `Num` in the family's pointer.
            fn num(v: i64) -> $Ptr<Num> {
                $Ptr::new(Num {
                    v,
                    header: Header::new(),
                })
            }

            #[test]
            fn comparisons_forward_to_the_referent() {
                let (a, b, seven) = (num(7), num(8), num(7));
                let (p, q) = (Px::new(&a), Px::new(&b));
                // Against the referent type.
                assert!(p == *seven);
                assert!(p != *b);
                assert!(p < *b && p <= *b && q > *a && q >= *a);
                assert_eq!(p.partial_cmp(&*b), Some(Ordering::Less));
                // Between proxies: the referents are compared, not the proxies.
                let p_seven = Px::new(&seven);
                assert!(p == p_seven && !Px::ptr_eq(&p, &p_seven));
                assert!(p != q && p < q && q > p);
                assert_eq!(q.partial_cmp(&p), Some(Ordering::Greater));
                // try_ forms.
                assert_eq!(p.try_eq(&*seven), Ok(true));
                assert_eq!(p.try_partial_cmp(&*b), Ok(Some(Ordering::Less)));
            }

            #[test]
            fn comparisons_of_a_dead_proxy_panic_and_try_forms_fail() {
                let (a, b) = (num(7), num(8));
                let p = Px::new(&a);
                let q = Px::new(&b);
                drop(a);
                assert_dead(|| p == *b);
                assert_dead(|| p != *b);
                assert_dead(|| p < *b);
                assert_dead(|| p.partial_cmp(&*b));
                assert_dead(|| p == q); // one side dead
                assert_dead(|| q == p);
                assert_dead(|| p < q);
                assert_dead(|| q.partial_cmp(&p));
                assert_dead(|| p == p); // both sides dead
                assert_eq!(p.try_eq(&*b), Err(ReferenceError));
                assert_eq!(p.try_partial_cmp(&*b), Err(ReferenceError));
                // The live side still works on its own.
                assert!(q == *b);
            }

            #[test]
            fn display_forwards_and_panics_when_dead() {
                let a = num(7);
                let p = Px::new(&a);
                assert_eq!(p.to_string(), "Num(7)");
                assert_eq!(format!("[{p:>8}]"), "[Num(7)]");
                assert_eq!(p.try_to_string().as_deref(), Ok("Num(7)"));
                drop(a);
                assert_dead(|| p.to_string());
                assert_dead(|| format!("{p}"));
                assert_eq!(p.try_to_string(), Err(ReferenceError));
                // Debug never panics.
                assert!(format!("{p:?}").ends_with("; dead>"));
            }

            #[test]
            fn operators_forward_by_reference_and_by_value() {
                let a = num(12);
                let p = Px::new(&a);
                assert_eq!(&p + 3, 15);
                assert_eq!(&p - 3, 9);
                assert_eq!(&p * 3, 36);
                assert_eq!(&p / 5, 2);
                assert_eq!(&p % 5, 2);
                assert_eq!(&p & 10, 8);
                assert_eq!(&p | 1, 13);
                assert_eq!(&p ^ 15, 3);
                assert_eq!(&p << 2, 48);
                assert_eq!(&p >> 2, 3);
                assert_eq!(-&p, -12);
                assert_eq!(!&p, !12);
                // By value (the proxy is consumed; the referent is not).
                assert_eq!(p.clone() + 1, 13);
                assert_eq!(-p.clone(), -12);
                // Another operand type and output type (`Num + &Num -> Arc<Num>`).
                let b = num(5);
                assert_eq!((&p + &*b).v, 17);
                assert_eq!((&p % &*b).v, 2);
                assert_eq!(a.v, 12);
            }

            #[test]
            fn try_operators_forward() {
                let a = num(12);
                let p = Px::new(&a);
                assert_eq!(p.try_add(3), Ok(15));
                assert_eq!(p.try_sub(3), Ok(9));
                assert_eq!(p.try_mul(3), Ok(36));
                assert_eq!(p.try_div(5), Ok(2));
                assert_eq!(p.try_rem(5), Ok(2));
                assert_eq!(p.try_bitand(10), Ok(8));
                assert_eq!(p.try_bitor(1), Ok(13));
                assert_eq!(p.try_bitxor(15), Ok(3));
                assert_eq!(p.try_shl(2), Ok(48));
                assert_eq!(p.try_shr(2), Ok(3));
                assert_eq!(p.try_neg(), Ok(-12));
                assert_eq!(p.try_not(), Ok(!12));
                assert_eq!(p.try_add(&*num(1)).map(|n| n.v), Ok(13));
            }

            #[test]
            fn every_operator_of_a_dead_proxy_panics_with_reference_error() {
                let a = num(12);
                let p = Px::new(&a);
                drop(a);
                assert_dead(|| &p + 3);
                assert_dead(|| &p - 3);
                assert_dead(|| &p * 3);
                assert_dead(|| &p / 5);
                assert_dead(|| &p % 5);
                assert_dead(|| &p & 10);
                assert_dead(|| &p | 1);
                assert_dead(|| &p ^ 15);
                assert_dead(|| &p << 2);
                assert_dead(|| &p >> 2);
                assert_dead(|| -&p);
                assert_dead(|| !&p);
                assert_dead(|| p.clone() + 1);
                assert_dead(|| p.clone() >> 1);
                assert_dead(|| -p.clone());
                assert_dead(|| !p.clone());
                assert_dead(|| &p + &*num(1));
            }

            #[test]
            fn every_try_operator_of_a_dead_proxy_fails() {
                let a = num(12);
                let p = Px::new(&a);
                drop(a);
                assert_eq!(p.try_add(3), Err(ReferenceError));
                assert_eq!(p.try_sub(3), Err(ReferenceError));
                assert_eq!(p.try_mul(3), Err(ReferenceError));
                assert_eq!(p.try_div(5), Err(ReferenceError));
                assert_eq!(p.try_rem(5), Err(ReferenceError));
                assert_eq!(p.try_bitand(10), Err(ReferenceError));
                assert_eq!(p.try_bitor(1), Err(ReferenceError));
                assert_eq!(p.try_bitxor(15), Err(ReferenceError));
                assert_eq!(p.try_shl(2), Err(ReferenceError));
                assert_eq!(p.try_shr(2), Err(ReferenceError));
                assert_eq!(p.try_neg(), Err(ReferenceError));
                assert_eq!(p.try_not(), Err(ReferenceError));
                assert_eq!(p.try_add(&*num(1)).err(), Some(ReferenceError));
                assert_eq!(p.with(|n| n.v), Err(ReferenceError));
                assert_eq!(p.get().err(), Some(ReferenceError));
            }

            // Python's reflected operators (`5 - p` calls `p.__rsub__(5)`):
            // `lhs op &p` is `lhs op &*referent` for a primitive `lhs`.
            #[test]
            fn reflected_operators_forward_by_reference_and_by_value() {
                let a = num(12);
                let p = Px::new(&a);
                assert_eq!(100 + &p, 112);
                assert_eq!(100 - &p, 88);
                assert_eq!(3 * &p, 36);
                assert_eq!(100 / &p, 8);
                assert_eq!(100 % &p, 4);
                assert_eq!(10 & &p, 8);
                assert_eq!(1 | &p, 13);
                assert_eq!(15 ^ &p, 3);
                assert_eq!(1 << &p, 4096);
                assert_eq!(8192 >> &p, 2);
                // By value (the proxy is consumed; the referent is not).
                assert_eq!(1 + p.clone(), 13);
                assert_eq!(24 / p.clone(), 2);
                // Typed, and mixed with forwarding.
                assert_eq!(2_i64 * &p - &p, 12);
                assert!(a.v == 12 && p.is_alive());
            }

            #[test]
            fn try_reflected_operators_forward() {
                let a = num(12);
                let p = Px::new(&a);
                assert_eq!(p.try_radd(100), Ok(112));
                assert_eq!(p.try_rsub(100), Ok(88));
                assert_eq!(p.try_rmul(3), Ok(36));
                assert_eq!(p.try_rdiv(100), Ok(8));
                assert_eq!(p.try_rrem(100), Ok(4));
                assert_eq!(p.try_rbitand(10), Ok(8));
                assert_eq!(p.try_rbitor(1), Ok(13));
                assert_eq!(p.try_rbitxor(15), Ok(3));
                assert_eq!(p.try_rshl(1), Ok(4096));
                assert_eq!(p.try_rshr(8192), Ok(2));
                // Any left-hand side, not only the primitive numbers:
                // `&Num - &Num` with the referent on the right.
                let b = num(5);
                assert_eq!(p.try_rsub(&*b).map(|n| n.v), Ok(-7));
            }

            #[test]
            fn every_reflected_operator_of_a_dead_proxy_panics_with_reference_error() {
                let a = num(12);
                let p = Px::new(&a);
                drop(a);
                assert_dead(|| 100 + &p);
                assert_dead(|| 100 - &p);
                assert_dead(|| 3 * &p);
                assert_dead(|| 100 / &p);
                assert_dead(|| 100 % &p);
                assert_dead(|| 10 & &p);
                assert_dead(|| 1 | &p);
                assert_dead(|| 15 ^ &p);
                assert_dead(|| 1 << &p);
                assert_dead(|| 8192 >> &p);
                assert_dead(|| 1 + p.clone());
                assert_dead(|| 1 << p.clone());
            }

            #[test]
            fn every_try_reflected_operator_of_a_dead_proxy_fails() {
                let a = num(12);
                let p = Px::new(&a);
                drop(a);
                assert_eq!(p.try_radd(100), Err(ReferenceError));
                assert_eq!(p.try_rsub(100), Err(ReferenceError));
                assert_eq!(p.try_rmul(3), Err(ReferenceError));
                assert_eq!(p.try_rdiv(100), Err(ReferenceError));
                assert_eq!(p.try_rrem(100), Err(ReferenceError));
                assert_eq!(p.try_rbitand(10), Err(ReferenceError));
                assert_eq!(p.try_rbitor(1), Err(ReferenceError));
                assert_eq!(p.try_rbitxor(15), Err(ReferenceError));
                assert_eq!(p.try_rshl(1), Err(ReferenceError));
                assert_eq!(p.try_rshr(8192), Err(ReferenceError));
                assert_eq!(p.try_rsub(&*num(5)).err(), Some(ReferenceError));
            }

            // A forwarded operation panicking in the referent's own code
            // propagates that panic, not a ReferenceError.
            #[test]
            fn a_panic_in_the_referent_is_its_own() {
                let a = num(12);
                let p = Px::new(&a);
                let message = panic_message(|| &p / 0);
                assert!(message.contains("divide by zero"), "{message}");
                assert!(p.is_alive());
            }
        }
    };
}

forwarding_tests!(plain, Proxy, ArcFamily, Arc);
forwarding_tests!(callable, CallableProxy, ArcFamily, Arc);
forwarding_tests!(rc_plain, Proxy, RcFamily, Rc);
forwarding_tests!(rc_callable, CallableProxy, RcFamily, Rc);

/// CPython test_proxy_div's `C`: `//` returns 42, and `//=` returns 21
/// without changing the object.
#[derive(Referent)]
struct C {
    header: Header,
}

impl Div<i64> for &C {
    type Output = i64;
    fn div(self, _other: i64) -> i64 {
        42
    }
}

impl C {
    /// `__ifloordiv__`. `DivAssign` takes `&mut self`, which no owner of a
    /// shared object has: an in-place operation on it is a method on `&self`.
    fn ifloordiv(&self, _other: i64) -> i64 {
        21
    }
}

/// A referent that an in-place operation does change, through its own
/// interior mutability.
#[derive(Referent)]
struct Counter {
    count: Mutex<i64>,
    header: Header,
}

impl Counter {
    /// `self += n` through a shared reference (Python's `__iadd__`).
    fn add_assign(&self, n: i64) {
        *self.count.lock().unwrap() += n;
    }
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_proxy_div
// `p // 5` forwards to `__floordiv__` (Rust's `/`). `p //= 5` calls
// `__ifloordiv__` through the proxy and rebinds the name `p` to its result.
// Proxies have no compound assignment in Rust (`ui/fail/proxy-compound-
// assignment.rs`): `DivAssign` needs `&mut` to the shared referent, and `p`
// cannot change type. The in-place operation is the referent's method on
// `&self`, reached through `with`, and the rebinding is a `let`. A referent
// that changes in place does it through its interior mutability, seen by
// every other handle; once it is dead, `with` fails and nothing changes.
#[test]
fn floor_division_and_its_in_place_form_forward() {
    let o = Arc::new(C {
        header: Header::new(),
    });
    let p = proxy(&o);
    assert_eq!(&p / 5, 42); // p // 5
    let p = p.with(|c| c.ifloordiv(5)).unwrap(); // p //= 5
    assert_eq!(p, 21);

    let c = Arc::new(Counter {
        count: Mutex::new(1),
        header: Header::new(),
    });
    let p = proxy(&c);
    assert_eq!(p.with(|c| c.add_assign(41)), Ok(())); // p += 41
    assert_eq!(*c.count.lock().unwrap(), 42);
    assert_eq!(Proxy::new(&c).with(|c| *c.count.lock().unwrap()), Ok(42));
    drop(c);
    assert_eq!(p.with(|c| c.add_assign(1)), Err(ReferenceError));
}

/// CPython test_proxy_deletion's `Foo`: its `__delitem__` records the key
/// it was given. Rust's `del p[0]` (`IndexMut`/`remove`) needs `&mut`, which
/// no shared owner has; a referent that supports deletion through a shared
/// reference does it with interior mutability, as a method.
#[derive(Referent, Default)]
struct Foo {
    result: Mutex<Option<usize>>,
    items: Mutex<Vec<i64>>,
    header: Header,
}

impl Foo {
    /// `__delitem__`: removes item `i` and records `i` in `result`.
    fn del_item(&self, i: usize) -> i64 {
        *self.result.lock().unwrap() = Some(i);
        self.items.lock().unwrap().remove(i)
    }

    /// `__getitem__`.
    fn get_item(&self, i: usize) -> i64 {
        self.items.lock().unwrap()[i]
    }
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_proxy_deletion
// (SF bug 762891: `del p[0]` was not forwarded.) The deletion made through
// the proxy reaches the referent: `f.result == 0` through the proxy and
// through the referent itself; once the referent is dead, the deletion
// fails with `ReferenceError` and changes nothing.
#[test]
fn deletion_through_the_proxy_reaches_the_referent() {
    let g = Arc::new(Foo::default());
    g.items.lock().unwrap().extend([1, 2, 3]);
    let f = proxy(&g);
    assert_eq!(f.with(|f| f.get_item(0)), Ok(1));
    assert_eq!(f.with(|f| f.del_item(0)), Ok(1)); // del f[0]
    assert_eq!(f.with(|f| *f.result.lock().unwrap()), Ok(Some(0)));
    assert_eq!(*g.result.lock().unwrap(), Some(0));
    assert_eq!(*g.items.lock().unwrap(), [2, 3]);
    let index = f.with(|f| usize::try_from(f.get_item(0)).unwrap());
    assert_eq!(index, Ok(2));
    // Another proxy of the same referent sees the deletion too.
    let other = Proxy::new(&g);
    assert_eq!(other.with(|f| f.get_item(0)), Ok(2));
    assert_eq!(f.with(|f| f.del_item(1)), Ok(3));
    assert_eq!(other.with(|f| f.items.lock().unwrap().clone()), Ok(vec![2]));
    drop(g);
    assert_eq!(f.with(|f| f.del_item(0)), Err(ReferenceError));
    assert_eq!(other.with(|f| f.get_item(0)), Err(ReferenceError));
}

/// CPython test_newstyle_number_ops' `F(float)`.
#[derive(Referent)]
struct F {
    value: f64,
    header: Header,
}

impl Add<f64> for &F {
    type Output = f64;
    fn add(self, rhs: f64) -> f64 {
        self.value + rhs
    }
}

impl Add<&F> for f64 {
    type Output = f64;
    fn add(self, rhs: &F) -> f64 {
        self + rhs.value
    }
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_newstyle_number_ops
// A float-like referent adds through its proxy on either side: `p + 1.0`
// and the reflected `1.0 + p` (which "used to SEGV" in CPython). `F(float)`
// inherits both from `float`; a Rust referent implements `&F + f64` and
// `f64 + &F`.
#[test]
fn a_float_referent_adds_through_its_proxy_on_either_side() {
    let f = Arc::new(F {
        value: 2.0,
        header: Header::new(),
    });
    let p = proxy(&f);
    assert_eq!(&p + 1.0, 3.0);
    assert_eq!(1.0 + &p, 3.0);
    assert_eq!(p.try_add(1.0), Ok(3.0));
    assert_eq!(p.try_radd(1.0), Ok(3.0));
    drop(f);
    assert_dead(|| &p + 1.0);
    assert_dead(|| 1.0 + &p);
    assert_eq!(p.try_add(1.0), Err(ReferenceError));
    assert_eq!(p.try_radd(1.0), Err(ReferenceError));
}

/// `text` parsed as a number of any primitive type.
fn n<T: std::str::FromStr<Err: fmt::Debug>>(text: &str) -> T {
    text.parse().unwrap()
}

/// The reflected operators of every primitive number type, through the
/// proxies of a `Weakable` of that type (which lends the operators of `&T`:
/// `prim op &prim` is std's).
macro_rules! every_primitive {
    (arithmetic: $($prim:ident)*; bits: $($int:ident)*) => {
        #[test]
        fn every_primitive_number_type_takes_a_proxy_on_its_left() {
            $(
                let w = Arc::new(Weakable::new(n::<$prim>("4")));
                let (p, r) = (proxy(&w), weakref::rc::Proxy::new(&Rc::new(Weakable::new(n::<$prim>("4")))));
                assert_eq!(n::<$prim>("8") + &p, n::<$prim>("12"), stringify!($prim));
                assert_eq!(n::<$prim>("8") - &p, n::<$prim>("4"));
                assert_eq!(n::<$prim>("8") * &p, n::<$prim>("32"));
                assert_eq!(n::<$prim>("8") / &p, n::<$prim>("2"));
                assert_eq!(n::<$prim>("9") % &p, n::<$prim>("1"));
                assert_eq!(n::<$prim>("8") * p.clone(), n::<$prim>("32"));
                assert_eq!(p.try_rmul(n::<$prim>("2")), Ok(n::<$prim>("8")));
                assert_eq!(r.try_rmul(n::<$prim>("2")), Err(ReferenceError)); // its Rc is gone
                drop(w);
                assert_dead(|| n::<$prim>("8") + &p);
                assert_eq!(p.try_rmul(n::<$prim>("2")), Err(ReferenceError));
            )*
            $(
                let w = Arc::new(Weakable::new(n::<$int>("6")));
                let p = proxy(&w);
                assert_eq!(n::<$int>("3") & &p, n::<$int>("2"), stringify!($int));
                assert_eq!(n::<$int>("3") | &p, n::<$int>("7"));
                assert_eq!(n::<$int>("3") ^ &p, n::<$int>("5"));
                assert_eq!(n::<$int>("1") << &p, n::<$int>("64"));
                assert_eq!(n::<$int>("64") >> &p, n::<$int>("1"));
                drop(w);
                assert_dead(|| n::<$int>("1") << &p);
            )*
        }
    };
}
every_primitive!(
    arithmetic: i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64;
    bits: i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize
);

// Literals take the type the referent's reflected impls accept.
#[test]
fn a_literal_on_the_left_takes_the_referents_type() {
    let byte = Arc::new(Weakable::new(3_u8));
    let float = Arc::new(Weakable::new(0.5_f32));
    let (b, f) = (proxy(&byte), proxy(&float));
    let product = 2 * &b; // u8: only `u8 * &u8` exists among the integers
    let sum = 1.0 + &f; // f32 likewise
    assert_eq!((product, sum), (6_u8, 1.5_f32));
}

// The call forwarded by a callable proxy.
#[test]
fn call_forwards_and_fails_when_dead() {
    let a = num(6);
    let p = proxy(&a);
    let _: &CallableProxy<Num> = &p;
    assert_eq!(p.call(7), Ok(42));
    drop(a);
    assert_eq!(p.call(7), Err(ReferenceError));
}

/// A referent that holds the only other strong reference to itself, and
/// drops it from inside a forwarded operation.
#[derive(Referent)]
#[referent(callable)]
struct SelfOwned {
    me: Mutex<Option<Arc<SelfOwned>>>,
    value: i64,
    header: Header,
}

impl SelfOwned {
    fn release(&self) -> i64 {
        let me = self.me.lock().unwrap().take();
        drop(me);
        // Still reachable: the proxy holds a strong reference for the call.
        self.value
    }
}

impl Add<i64> for &SelfOwned {
    type Output = i64;
    fn add(self, rhs: i64) -> i64 {
        self.release() + rhs
    }
}

impl PartialEq for SelfOwned {
    fn eq(&self, other: &SelfOwned) -> bool {
        self.release() == other.value
    }
}

impl fmt::Display for SelfOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.release())
    }
}

impl Callable for SelfOwned {
    type Args = ();
    type Output = i64;
    fn call(&self, (): ()) -> i64 {
        self.release()
    }
}

/// A `SelfOwned` kept alive only by itself, its proxy, and a log of the
/// proxy's callback.
fn self_owned(value: i64) -> (CallableProxy<SelfOwned>, Arc<Mutex<Vec<&'static str>>>) {
    let obj = Arc::new(SelfOwned {
        me: Mutex::new(None),
        value,
        header: Header::new(),
    });
    *obj.me.lock().unwrap() = Some(obj.clone());
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    let p = proxy_with_callback(&obj, move |p: &CallableProxy<SelfOwned>| {
        assert!(!p.is_alive());
        l.lock().unwrap().push("died");
    });
    drop(obj);
    (p, log)
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_proxy_iter
// (B.9 of the reference notes): every forwarded operation keeps the referent alive
// until it returns, even if it drops the last other strong reference; the
// referent then dies when the operation returns.
#[test]
fn forwarded_operations_keep_the_referent_alive_until_they_return() {
    let (p, log) = self_owned(5);
    assert_eq!(&p + 1, 6);
    assert!(!p.is_alive());
    assert_eq!(*log.lock().unwrap(), ["died"]);

    let (p, log) = self_owned(5);
    assert_eq!(p.with(|o| o.release()), Ok(5));
    assert_eq!(*log.lock().unwrap(), ["died"]);

    let (p, log) = self_owned(5);
    assert_eq!(p.call(()), Ok(5));
    assert_eq!(*log.lock().unwrap(), ["died"]);

    let (p, log) = self_owned(5);
    let other = Arc::new(SelfOwned {
        me: Mutex::new(None),
        value: 5,
        header: Header::new(),
    });
    assert!(p == *other);
    assert_eq!(*log.lock().unwrap(), ["died"]);

    let (p, log) = self_owned(5);
    assert_eq!(p.to_string(), "5");
    assert_eq!(*log.lock().unwrap(), ["died"]);
    assert_eq!(p.try_to_string(), Err(ReferenceError));
}

// The forwarding works for trait objects (proxies made with `Proxy::new`).
#[test]
fn trait_object_proxies_forward() {
    trait Shape: Referent + fmt::Display {
        fn area(&self) -> f64;
    }
    #[derive(Referent)]
    struct Square {
        side: f64,
        header: Header,
    }
    impl Shape for Square {
        fn area(&self) -> f64 {
            self.side * self.side
        }
    }
    impl fmt::Display for Square {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "square {}", self.side)
        }
    }
    let s: Arc<dyn Shape> = Arc::new(Square {
        side: 3.0,
        header: Header::new(),
    });
    let p: Proxy<dyn Shape> = Proxy::new(&s);
    assert_eq!(p.with(|s| s.area()), Ok(9.0));
    assert_eq!(p.to_string(), "square 3");
    assert!(Ref::ptr_eq(p.weakref(), &weakref::getweakrefs(&s)[0]));
    drop(s);
    assert_eq!(p.try_to_string(), Err(ReferenceError));
}

// A `Weakable<T>` lends the operators of `&T` to its proxies (it has no
// operators of its own: see `weakref::ops`).
#[test]
fn weakable_proxies_forward_the_operators_of_the_value() {
    let w = Arc::new(Weakable::new(12_i64));
    let p = proxy(&w);
    assert_eq!(&p + 3, 15);
    assert_eq!(&p * 4, 48);
    assert_eq!(&p << 1_u32, 24);
    assert_eq!(-&p, -12);
    assert_eq!(!&p, !12);
    let text = Arc::new(Weakable::new(String::from("ab")));
    let t = Proxy::new(&text);
    assert!(t == *text);
    drop(w);
    assert_dead(|| &p + 3);
    assert_dead(|| -&p);
}

// A trait object lends its operators with hand-written `Forward` and
// `Reflected` impls, the ones the derive writes for a struct.
#[test]
fn trait_object_proxies_forward_operators_with_a_hand_written_impl() {
    trait Quantity: Referent {
        fn amount(&self) -> f64;
    }
    impl Add<f64> for &dyn Quantity {
        type Output = f64;
        fn add(self, rhs: f64) -> f64 {
            self.amount() + rhs
        }
    }
    impl Neg for &dyn Quantity {
        type Output = f64;
        fn neg(self) -> f64 {
            -self.amount()
        }
    }
    impl Mul<&dyn Quantity> for f64 {
        type Output = f64;
        fn mul(self, rhs: &dyn Quantity) -> f64 {
            self * rhs.amount()
        }
    }
    impl<Op, Rhs, O> Forward<Op, Rhs> for dyn Quantity
    where
        for<'b> Op: Operator<&'b dyn Quantity, Rhs, Output = O>,
    {
        type Output = O;
        fn forward(&self, rhs: Rhs) -> O {
            Op::apply(self, rhs)
        }
    }
    impl<Op, Lhs, O> Reflected<Op, Lhs> for dyn Quantity
    where
        for<'b> Op: Operator<Lhs, &'b dyn Quantity, Output = O>,
    {
        type Output = O;
        fn reflected(lhs: Lhs, rhs: &Self) -> O {
            Op::apply(lhs, rhs)
        }
    }
    let q: Arc<dyn Quantity> = Arc::new(F {
        value: 1.5,
        header: Header::new(),
    });
    impl Quantity for F {
        fn amount(&self) -> f64 {
            self.value
        }
    }
    let p: Proxy<dyn Quantity> = Proxy::new(&q);
    assert_eq!(&p + 1.0, 2.5);
    assert_eq!(-&p, -1.5);
    assert_eq!(p.try_add(1.0), Ok(2.5));
    assert_eq!(2.0 * &p, 3.0);
    assert_eq!(p.try_rmul(2.0), Ok(3.0));
    drop(q);
    assert_dead(|| &p + 1.0);
    assert_dead(|| 2.0 * &p);
    assert_eq!(p.try_add(1.0), Err(ReferenceError));
    assert_eq!(p.try_rmul(2.0), Err(ReferenceError));
}

/// A generic referent, with a bound and a where-clause: the derive's
/// operator impls keep both.
#[derive(Referent)]
struct Cell<T: Copy>
where
    T: fmt::Debug,
{
    value: T,
    header: Header,
}

impl<T: Copy + fmt::Debug + Add<Output = T>> Add<T> for &Cell<T> {
    type Output = T;
    fn add(self, rhs: T) -> T {
        self.value + rhs
    }
}

impl Sub<&Cell<u8>> for u8 {
    type Output = u8;
    fn sub(self, rhs: &Cell<u8>) -> u8 {
        self - rhs.value
    }
}

#[test]
fn generic_referents_forward_their_operators() {
    let ints = Arc::new(Cell {
        value: 2_u8,
        header: Header::new(),
    });
    let floats = Rc::new(Cell {
        value: 0.5_f32,
        header: Header::new(),
    });
    let (p, q) = (proxy(&ints), weakref::rc::proxy(&floats));
    assert_eq!(&p + 3, 5);
    assert_eq!(10 - &p, 8);
    assert_eq!(q.clone() + 1.0, 1.5);
    drop((ints, floats));
    assert_dead(|| &p + 3);
    assert_dead(|| 10 - &p);
    assert_dead(|| &q + 1.0);
}

thread_local! {
    /// `Some` while `panic_location` runs on this thread: the location the
    /// panic hook was given, once it has been called.
    static REPORTED_AT: RefCell<Option<Option<(String, u32)>>> = const { RefCell::new(None) };
}

/// Runs `f`, which must panic, and returns the file and line its panic was
/// reported at (what the default hook prints: "panicked at file:line").
/// Only inside `with_location_hook`.
fn panic_location<R>(f: impl FnOnce() -> R) -> (String, u32) {
    REPORTED_AT.with(|at| *at.borrow_mut() = Some(None));
    let result = catch_unwind(AssertUnwindSafe(f));
    let at = REPORTED_AT.with(|at| at.borrow_mut().take()).flatten();
    assert!(result.is_err(), "the operation should have panicked");
    at.expect("the panic hook should have seen the panic")
}

/// Runs `body` with a panic hook that records the location of the panics
/// caught by `panic_location` (on whichever test thread) instead of printing
/// them, and hands every other panic to the previous hook; then restores the
/// previous hook. One test at a time swaps the hook.
fn with_location_hook(body: impl FnOnce()) {
    static SWAPPING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = SWAPPING.lock().unwrap_or_else(PoisonError::into_inner);
    let previous = Arc::new(panic::take_hook());
    let forward = previous.clone();
    panic::set_hook(Box::new(move |info| {
        let recorded = REPORTED_AT.with(|at| match &mut *at.borrow_mut() {
            Some(slot) => {
                *slot = info
                    .location()
                    .map(|location| (location.file().to_owned(), location.line()));
                true
            }
            None => false,
        });
        if !recorded {
            forward(info);
        }
    }));
    let result = catch_unwind(AssertUnwindSafe(body));
    drop(panic::take_hook()); // ours, with its clone of `previous`
    panic::set_hook(Arc::into_inner(previous).expect("the recording hook was dropped"));
    if let Err(payload) = result {
        resume_unwind(payload);
    }
}

/// Asserts that the dead-proxy panic of `$op` is reported at this line of
/// this file (`#[track_caller]` on the forwarding impls), not in the library.
macro_rules! assert_reported_here {
    ($op:expr) => {{
        let (file, line) = panic_location(|| $op);
        assert_eq!(
            (file.as_str(), line),
            (file!(), line!()),
            "{}",
            stringify!($op)
        );
    }};
}

// A dead proxy's panic points at the user's expression, like an out-of-bounds
// index does: the forwarding impls are `#[track_caller]`, and so are the
// comparison methods whose std defaults are not (`ne`, `lt`, `le`, `gt`,
// `ge`). `Display` only can when called directly (below): `format!` calls
// `fmt` through a function pointer and `to_string` is std's own code, so
// their panics point into the library or std (`try_to_string` does not panic).
#[test]
fn a_dead_proxy_panic_is_reported_at_the_caller() {
    let (a, b) = (num(12), num(3));
    let p = Proxy::new(&a);
    let q = Proxy::new(&b);
    let c = CallableProxy::new(&a);
    drop(a);
    with_location_hook(|| {
        assert_reported_here!(&p + 1);
        assert_reported_here!(-&p);
        assert_reported_here!(!&p);
        assert_reported_here!(&p << 2);
        assert_reported_here!(&p + &*b);
        assert_reported_here!(p.clone() * 2);
        assert_reported_here!(-p.clone());
        assert_reported_here!(&c % 5);
        assert_reported_here!(2 * &p);
        assert_reported_here!(1 << &c);
        assert_reported_here!(100 - p.clone());
        assert_reported_here!(100 / c.clone());
        let r = weakref::rc::Proxy::new(&Rc::new(Num {
            v: 1,
            header: Header::new(),
        }));
        assert_reported_here!(&r + 1);
        assert_reported_here!(3 * &r);
        assert_reported_here!(p == *b);
        assert_reported_here!(p != *b);
        assert_reported_here!(p < *b);
        assert_reported_here!(p >= *b);
        assert_reported_here!(p.partial_cmp(&*b));
        assert_reported_here!(p == q);
        assert_reported_here!(q != p);
        assert_reported_here!(p > q);
        assert_reported_here!(c <= *b);
        // The message is still ReferenceError's.
        assert_dead(|| &p + 1);
    });
}

// `Display::fmt` called directly, as a wrapper's own `Display` does, reports
// the wrapper's line.
#[test]
fn a_dead_proxy_display_called_directly_is_reported_at_the_caller() {
    struct Labelled(Proxy<Num>);
    impl fmt::Display for Labelled {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let line = line!() + 1;
            let result = fmt::Display::fmt(&self.0, f);
            FMT_LINE.with(|l| l.set(line)); // not reached when dead
            result
        }
    }
    thread_local! {
        static FMT_LINE: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    let a = num(1);
    let labelled = Labelled(Proxy::new(&a));
    assert_eq!(labelled.to_string(), "Num(1)");
    let expected = FMT_LINE.with(std::cell::Cell::get);
    drop(a);
    with_location_hook(|| {
        let (file, line) = panic_location(|| labelled.to_string());
        assert_eq!((file.as_str(), line), (file!(), expected));
    });
}
