//! `CallableProxy<T>`: Python's `weakref.CallableProxyType`, a proxy to a
//! referent that can be called.

use core::cmp::Ordering;
use core::fmt;

use weakref_core::{
    Accepts, ArcFamily, Callable, Family, Ref, ReferenceError, Referent, StrongRef,
};

use crate::forward::forward_proxy;

/// A weak proxy to a callable referent (Python's `weakref.CallableProxyType`):
/// everything a [`Proxy`](crate::Proxy) does, and [`call`](CallableProxy::call).
///
/// [`proxy`](crate::proxy) returns one for types that derive `Referent` with
/// `#[referent(callable)]` and implement [`Callable`]; [`CallableProxy::new`]
/// makes one of any callable type, trait objects included.
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{Callable, Header, ReferenceError, Referent};
/// use weakref_proxy::{proxy, CallableProxy};
///
/// #[derive(Referent)]
/// #[referent(callable)]
/// struct Greeter { greeting: String, header: Header }
///
/// impl Callable for Greeter {
///     type Args = &'static str;
///     type Output = String;
///     fn call(&self, name: &'static str) -> String { format!("{} {name}", self.greeting) }
/// }
///
/// let g = Arc::new(Greeter { greeting: "hello".into(), header: Header::new() });
/// let p: CallableProxy<Greeter> = proxy(&g);
/// assert_eq!(p.call("world").as_deref(), Ok("hello world"));
/// drop(g);
/// assert_eq!(p.call("world"), Err(ReferenceError));
/// ```
pub struct CallableProxy<T: ?Sized + Referent, F: Family = ArcFamily> {
    /// The weak reference object under the proxy.
    weak: Ref<T, F>,
}

/// Python's name for the proxy type of callable referents.
///
/// ```
/// use std::sync::Arc;
/// use weakref_proxy::{proxy, CallableProxyType, Function};
///
/// let f = Arc::new(Function::new(|x: i32| x + 1));
/// let p: CallableProxyType<Function<i32, i32>> = proxy(&f);
/// assert_eq!(p.call(1), Ok(2));
/// ```
pub type CallableProxyType<T, F = ArcFamily> = CallableProxy<T, F>;

impl<T: ?Sized + Referent + Callable, F: Family> CallableProxy<T, F> {
    /// Python's `proxy(obj)` for a callable `obj`: the object's shared
    /// callback-less proxy, made on first use. It is a weak reference object
    /// of its own, not the shared [`Ref`], and it is the same object as
    /// [`Proxy::new`](crate::Proxy::new)'s would be.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weakref_proxy::{CallableProxy, Function};
    ///
    /// let f = Arc::new(Function::new(|(a, b): (i32, i32)| a * b));
    /// let p = CallableProxy::new(&f);
    /// assert!(CallableProxy::ptr_eq(&p, &CallableProxy::new(&f)));
    /// assert_eq!(p.call((6, 7)), Ok(42));
    /// ```
    #[must_use]
    pub fn new<P>(obj: &P) -> Self
    where
        P: StrongRef<T, Family = F>,
    {
        CallableProxy {
            weak: Ref::__shared_proxy(obj.as_family()),
        }
    }

    /// Python's `proxy(obj, callback)` for a callable `obj`: a new proxy whose
    /// `callback` runs once when `obj` dies, given this same proxy (already
    /// dead). Callbacks run as [`Ref::with_callback`]'s do.
    ///
    /// ```
    /// use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
    /// use weakref_proxy::{CallableProxy, Function};
    ///
    /// let called = Arc::new(AtomicBool::new(false));
    /// let f = Arc::new(Function::new(|x: u8| x));
    /// let flag = called.clone();
    /// let p = CallableProxy::with_callback(&f, move |p: &CallableProxy<Function<u8, u8>>| {
    ///     assert!(p.call(1).is_err());
    ///     flag.store(true, Ordering::SeqCst);
    /// });
    /// drop(f);
    /// assert!(called.load(Ordering::SeqCst) && !p.is_alive());
    /// ```
    #[must_use]
    pub fn with_callback<P, C>(obj: &P, callback: C) -> Self
    where
        P: StrongRef<T, Family = F>,
        C: FnOnce(&Self) + 'static,
        F: Accepts<C>,
    {
        Self::__with_callback(obj.as_family(), callback)
    }

    /// Python's `proxy(args)`: calls the referent, or returns
    /// `Err(ReferenceError)` if it is gone. The referent is kept alive until
    /// the call returns.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weakref_core::ReferenceError;
    /// use weakref_proxy::{proxy, Function};
    ///
    /// let f = Arc::new(Function::new(|s: &str| s.len()));
    /// let p = proxy(&f);
    /// assert_eq!(p.call("four"), Ok(4));
    /// drop(f);
    /// assert_eq!(p.call("four"), Err(ReferenceError));
    /// ```
    pub fn call(&self, args: T::Args) -> Result<T::Output, ReferenceError> {
        let referent = self.get()?;
        Ok(referent.call(args))
    }
}

forward_proxy!(CallableProxy);
