//! Proxies of `std::rc::Rc` objects: the single-threaded flavour of the
//! crate root, by the same code (`weakref_core::rc` has the refs).
//!
//! ```
//! use std::cell::RefCell;
//! use std::rc::Rc;
//! use weakref_core::{Header, ReferenceError, Referent};
//! use weakref_proxy::rc;
//!
//! #[derive(Referent)]
//! struct Doc { title: String, header: Header }
//!
//! let closed = Rc::new(RefCell::new(false));
//! let doc = Rc::new(Doc { title: "notes".into(), header: Header::new() });
//! let flag = Rc::clone(&closed);
//! let p = rc::proxy_with_callback(&doc, move |_| *flag.borrow_mut() = true);
//! assert_eq!(p.with(|d| d.title.len()), Ok(5));
//! drop(doc);
//! assert_eq!(p.with(|d| d.title.len()), Err(ReferenceError));
//! assert!(*closed.borrow());
//! ```

use std::rc::Rc;

use weakref_core::{ProxyKind, RcFamily, Referent};

use crate::select::SelectProxy;

/// A weak proxy to an `Rc` object: the single-threaded [`crate::Proxy`].
///
/// ```
/// use std::rc::Rc;
/// use weakref_core::{Header, Referent};
/// use weakref_proxy::rc;
///
/// #[derive(Referent)]
/// struct Obj { n: u8, header: Header }
///
/// let obj = Rc::new(Obj { n: 3, header: Header::new() });
/// let p: rc::Proxy<Obj> = rc::Proxy::new(&obj);
/// assert!(rc::Proxy::ptr_eq(&p, &rc::proxy(&obj)));
/// assert_eq!(p.with(|o| o.n), Ok(3));
/// ```
pub type Proxy<T> = crate::Proxy<T, RcFamily>;

/// A weak proxy to a callable `Rc` object: the single-threaded
/// [`crate::CallableProxy`].
///
/// ```
/// use std::rc::Rc;
/// use weakref_proxy::{rc, Function};
///
/// let f = Rc::new(Function::new(|x: i32| x * 2));
/// let p: rc::CallableProxy<Function<i32, i32>> = rc::proxy(&f);
/// assert_eq!(p.call(21), Ok(42));
/// ```
pub type CallableProxy<T> = crate::CallableProxy<T, RcFamily>;

/// Python's name for the proxy type, for `Rc` objects.
pub type ProxyType<T> = Proxy<T>;

/// Python's name for the callable proxy type, for `Rc` objects.
pub type CallableProxyType<T> = CallableProxy<T>;

/// What [`proxy`] returns for `T`: [`CallableProxy<T>`] if `T` is callable,
/// otherwise [`Proxy<T>`].
pub type ProxyOf<T> = crate::ProxyOf<T, RcFamily>;

/// Python's `weakref.proxy(obj)` for an `Rc` object: its shared
/// callback-less proxy ([`crate::proxy`] for `Rc`).
///
/// ```
/// use std::rc::Rc;
/// use weakref_core::{rc::getweakrefcount, Header, Referent};
/// use weakref_proxy::rc;
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let obj = Rc::new(Obj { header: Header::new() });
/// let p = rc::proxy(&obj);
/// assert!(rc::Proxy::ptr_eq(&p, &rc::proxy(&obj)));
/// assert_eq!(getweakrefcount(&obj), 1);
/// ```
#[must_use]
pub fn proxy<T>(obj: &Rc<T>) -> ProxyOf<T>
where
    T: ?Sized + Referent + ProxyKind,
    T::Kind: SelectProxy<T, RcFamily>,
{
    <T::Kind as SelectProxy<T, RcFamily>>::new_proxy(obj)
}

/// Python's `weakref.proxy(obj, callback)` for an `Rc` object: a new proxy
/// whose `callback` (which need not be `Send`) runs once when `obj` dies.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use weakref_core::{Header, Referent};
/// use weakref_proxy::rc;
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let calls = Rc::new(Cell::new(0));
/// let obj = Rc::new(Obj { header: Header::new() });
/// let c = Rc::clone(&calls);
/// let p = rc::proxy_with_callback(&obj, move |p: &rc::Proxy<Obj>| {
///     assert!(!p.is_alive());
///     c.set(c.get() + 1);
/// });
/// drop(obj);
/// assert_eq!(calls.get(), 1);
/// assert!(!p.is_alive());
/// ```
#[must_use]
pub fn proxy_with_callback<T, F>(obj: &Rc<T>, callback: F) -> ProxyOf<T>
where
    T: ?Sized + Referent + ProxyKind,
    T::Kind: SelectProxy<T, RcFamily>,
    F: FnOnce(&ProxyOf<T>) + 'static,
{
    <T::Kind as SelectProxy<T, RcFamily>>::new_proxy_with_callback(obj, callback)
}
