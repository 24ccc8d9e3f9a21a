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
//!   << >>`, unary `-` and `!`.
//!
//! Every forwarded operation takes a strong reference to the referent for its
//! duration, so the referent cannot die in the middle of it. The std traits
//! cannot return a `Result`, so when the proxy is dead they panic with
//! [`ReferenceError::MESSAGE`]; each has a `try_` form beside it that returns
//! `Err(ReferenceError)` instead ([`try_eq`](Proxy::try_eq),
//! [`try_to_string`](Proxy::try_to_string), [`try_add`](Proxy::try_add)...).
//!
//! Not forwarded: `Hash` (proxies are never hashable, as in Python), `Deref`,
//! `Index` and iteration (they would lend a borrow of the referent that
//! outlives the proxy's strong reference; use [`with`](Proxy::with) or
//! [`get`](Proxy::get)), compound assignment (`p += 1` rebinds `p` to the
//! result in Python; in Rust the result need not be a proxy), and reflected
//! operators (`1 + p`: the orphan rule forbids implementing `Add<Proxy<T>>`
//! for foreign types).
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
