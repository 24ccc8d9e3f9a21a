//! Weak proxies: Python's `weakref.proxy`, `ProxyType`, `CallableProxyType`.
//!
//! A proxy is a weak reference that is used *as* its referent: instead of
//! asking for the object (`r()` in Python, [`Ref::get`] here), you use the
//! proxy, and each use forwards to the referent while it lives, or fails
//! with [`ReferenceError`] once it is gone. [`proxy`] makes one; its type is
//! [`CallableProxy<T>`] when `T` is callable (`#[referent(callable)]` and
//! [`Callable`]), otherwise [`Proxy<T>`], decided at compile time.
//!
//! ```
//! use std::sync::Arc;
//! use weakref_core::{Header, ReferenceError, Referent};
//! use weakref_proxy::proxy;
//!
//! #[derive(Referent, PartialEq, PartialOrd)]
//! struct Celsius { degrees: i32, header: Header }
//!
//! let t = Arc::new(Celsius { degrees: 21, header: Header::new() });
//! let p = proxy(&t);
//! assert_eq!(p.with(|t| t.degrees), Ok(21));
//! assert!(p == *t); // comparisons forward to the referent
//! drop(t);
//! assert_eq!(p.with(|t| t.degrees), Err(ReferenceError));
//! assert!(format!("{p:?}").ends_with("; dead>"));
//! ```
//!
//! # What forwards, and how
//! Python forwards almost every operation of a proxy to its referent. Rust
//! forwards what its traits allow without handing out a borrow of the
//! referent that could outlive it:
//! - [`with`](Proxy::with) runs a closure on the referent (attribute access,
//!   method calls, `len`, `in`, `bool`, `p[k]`...), and
//!   [`call`](CallableProxy::call) calls a callable referent;
//! - `PartialEq` and `PartialOrd` against the referent's type and against
//!   another proxy, `Display`, and the operators of `&T`: `+ - * / % & | ^
//!   << >>`, unary `-` and `!`, with the proxy on the left (`&p * 2`) or, for
//!   the primitive number types, on the right (`2 * &p`, Python's reflected
//!   `__rmul__`): see [Operators](#operators).
//!
//! Every forwarded operation takes a strong reference to the referent for its
//! duration, so the referent cannot die in the middle of it. The std traits
//! cannot return a `Result`, so when the proxy is dead they panic with
//! [`ReferenceError::MESSAGE`]; each has a `try_` form beside it that returns
//! `Err(ReferenceError)` instead ([`try_eq`](Proxy::try_eq),
//! [`try_to_string`](Proxy::try_to_string), [`try_add`](Proxy::try_add),
//! [`try_rmul`](Proxy::try_rmul)...).
//!
//! Not forwarded: `Hash` (proxies are never hashable, as in Python), `Deref`,
//! `Index` and iteration (they would lend a borrow of the referent that
//! outlives the proxy's strong reference; use [`with`](Proxy::with) or
//! [`get`](Proxy::get)), and compound assignment (see [In-place
//! operators](#in-place-operators)).
//!
//! # Operators
//! `&proxy * rhs` is `&*referent * rhs`: implement the operator for a shared
//! reference to the referent type (`impl Mul<u32> for &Account`), and its
//! proxies have it. `lhs * &proxy` is `lhs * &*referent` (Python's
//! `__rmul__`): implement `Mul<&Account>` for `lhs`'s type, and its proxies
//! have it for the primitive number types (`i8`..`i128`, `u8`..`u128`,
//! `isize`, `usize`, `f32`, `f64`: the orphan rule lets this crate implement
//! `Mul<&Proxy<T>>` for those, not for every type). Each has a `try_` form:
//! [`try_mul`](Proxy::try_mul) and [`try_rmul`](Proxy::try_rmul), the
//! latter for any left-hand side. Both work by reference and by value
//! (`&p * 2`, `p * 2`, `2 * &p`, `2 * p`), and panic at the caller's line
//! when the referent is gone.
//!
//! ```
//! use std::ops::{Add, Mul};
//! use std::sync::Arc;
//! use weakref_core::{Header, ReferenceError, Referent};
//! use weakref_proxy::proxy;
//!
//! #[derive(Referent)]
//! struct Account { balance: i64, header: Header }
//! impl Add<i64> for &Account {
//!     type Output = i64;
//!     fn add(self, amount: i64) -> i64 { self.balance + amount }
//! }
//! impl Mul<&Account> for i64 {
//!     type Output = i64;
//!     fn mul(self, account: &Account) -> i64 { self * account.balance }
//! }
//!
//! let a = Arc::new(Account { balance: 100, header: Header::new() });
//! let p = proxy(&a);
//! assert_eq!(&p + 5, 105);
//! assert_eq!(3 * &p, 300); // the literal is an `i64`: only `i64 * &Account` exists
//! drop(a);
//! assert_eq!(p.try_rmul(3), Err(ReferenceError));
//! ```
//!
//! The proxies reach the operators through
//! [`ops::Forward`](weakref_core::ops::Forward) and
//! [`ops::Reflected`](weakref_core::ops::Reflected), per-type traits that
//! `#[derive(Referent)]` implements (and [`Weakable<T>`](weakref_core::Weakable),
//! with the operators of `&T`), rather than through a blanket bound such as
//! `where for<'b> &'b T: Mul<Rhs>` or `where i64: Mul<&T>`, which would send
//! the trait solver into a loop on ordinary arithmetic in every crate using
//! proxies (E0275). A trait object implements them by hand, once, in the
//! crate that owns the trait:
//!
//! ```
//! use std::ops::{Add, Mul};
//! use std::sync::Arc;
//! use weakref_core::ops::{Forward, Operator, Reflected};
//! use weakref_core::{Header, Referent};
//! use weakref_proxy::Proxy;
//!
//! trait Quantity: Referent {
//!     fn amount(&self) -> f64;
//! }
//! impl Add<f64> for &dyn Quantity {
//!     type Output = f64;
//!     fn add(self, rhs: f64) -> f64 { self.amount() + rhs }
//! }
//! impl Mul<&dyn Quantity> for f64 {
//!     type Output = f64;
//!     fn mul(self, rhs: &dyn Quantity) -> f64 { self * rhs.amount() }
//! }
//! // What the derive writes for a struct: every operator of `&Self`, each
//! // way round.
//! impl<Op, Rhs, O> Forward<Op, Rhs> for dyn Quantity
//! where
//!     for<'b> Op: Operator<&'b dyn Quantity, Rhs, Output = O>,
//! {
//!     type Output = O;
//!     fn forward(&self, rhs: Rhs) -> O { Op::apply(self, rhs) }
//! }
//! impl<Op, Lhs, O> Reflected<Op, Lhs> for dyn Quantity
//! where
//!     for<'b> Op: Operator<Lhs, &'b dyn Quantity, Output = O>,
//! {
//!     type Output = O;
//!     fn reflected(lhs: Lhs, rhs: &Self) -> O { Op::apply(lhs, rhs) }
//! }
//!
//! #[derive(Referent)]
//! struct Litres { value: f64, header: Header }
//! impl Quantity for Litres {
//!     fn amount(&self) -> f64 { self.value }
//! }
//!
//! let q: Arc<dyn Quantity> = Arc::new(Litres { value: 1.5, header: Header::new() });
//! let p = Proxy::new(&q);
//! assert_eq!(&p + 1.0, 2.5);
//! assert_eq!(2.0 * &p, 3.0);
//! ```
//!
//! A cost of the reflected impls: a primitive added to a reference whose
//! type nothing else decides (`1_u32 + &Default::default()`) now needs that
//! type written, since `&Proxy<_>` is a candidate beside `&u32`.
//!
//! # In-place operators
//! Proxies have no compound assignment (`p += 1` does not compile). In
//! Python, `p += 1` calls the referent's `__iadd__`, which may change the
//! referent in place, and rebinds the name `p` to whatever it returns (the
//! proxy itself, or a new value). In Rust the referent is shared behind an
//! `Arc`: `AddAssign`'s `&mut self` is out of reach through any proxy, and
//! the variable `p` cannot change type. The analogue is the referent's own
//! interior mutability, through [`with`](Proxy::with) (which keeps the
//! referent alive for the call and fails with `ReferenceError` once it is
//! gone), and a `let` to bind a result:
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicI64, Ordering};
//! use weakref_core::{Header, ReferenceError, Referent};
//! use weakref_proxy::proxy;
//!
//! #[derive(Referent)]
//! struct Counter { count: AtomicI64, header: Header }
//! impl Counter {
//!     /// `self += n`, through a shared reference.
//!     fn add_assign(&self, n: i64) { self.count.fetch_add(n, Ordering::Relaxed); }
//! }
//!
//! let c = Arc::new(Counter { count: AtomicI64::new(1), header: Header::new() });
//! let p = proxy(&c);
//! p.with(|c| c.add_assign(41))?; // Python: p += 41
//! assert_eq!(c.count.load(Ordering::Relaxed), 42);
//! drop(c);
//! assert_eq!(p.with(|c| c.add_assign(1)), Err(ReferenceError));
//! # Ok::<(), ReferenceError>(())
//! ```
//!
//! # Sharing and callbacks
//! [`proxy`] reuses the object's one callback-less proxy (which is not the
//! shared [`Ref`]); [`proxy_with_callback`] always makes a new one, whose
//! callback receives the (dead) proxy itself. Both are weak reference objects
//! of the referent: counted by [`getweakrefcount`](weakref_core::getweakrefcount)
//! and listed by [`getweakrefs`](weakref_core::getweakrefs) (as the [`Ref`]
//! under them, [`Proxy::weakref`]), and their callbacks run with the refs'
//! callbacks, newest first.
#![forbid(unsafe_code)]

mod any_proxy;
mod callable_proxy;
mod forward;
mod function;
mod proxy;
pub mod rc;
mod reflected;
mod select;

pub use crate::any_proxy::{AnyProxy, is_proxy};
pub use crate::callable_proxy::{CallableProxy, CallableProxyType};
pub use crate::function::Function;
pub use crate::proxy::{Proxy, ProxyType};
pub use crate::select::{ProxyOf, SelectProxy, proxy, proxy_with_callback};

/// The trait a referent implements to be called through its proxy, and the
/// error a dead proxy fails with (both defined in `weakref-core`).
#[doc(no_inline)]
pub use weakref_core::{Callable, ReferenceError};

#[cfg(doc)]
use weakref_core::Ref;

/// Panics with the `ReferenceError` message: a forwarding std trait was used
/// on a dead proxy.
#[cold]
#[track_caller]
fn dead() -> ! {
    panic!("{}", ReferenceError::MESSAGE)
}
