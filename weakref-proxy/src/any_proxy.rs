//! `AnyProxy`: what both proxy types are (Python's `weakref.ProxyTypes`).

use core::any::Any;
use core::fmt;
use weakref_core::{CallableKind, Family, PlainKind, RcFamily, Ref, ReferenceError, Referent};

use crate::callable_proxy::CallableProxy;
use crate::proxy::Proxy;

pub(crate) mod sealed {
    /// Keeps [`AnyProxy`](super::AnyProxy) and
    /// [`SelectProxy`](crate::SelectProxy) to this crate's types.
    // `pub` in a private module: public traits may have it as supertrait,
    // yet no one outside this crate can name it to implement it.
    pub trait Sealed {}
}

impl<T: ?Sized + Referent, F: Family> sealed::Sealed for Proxy<T, F> {}
impl<T: ?Sized + Referent, F: Family> sealed::Sealed for CallableProxy<T, F> {}
impl sealed::Sealed for PlainKind {}
impl sealed::Sealed for CallableKind {}

/// A weak proxy of either type: Python's `weakref.ProxyTypes`, the tuple
/// `(ProxyType, CallableProxyType)`.
///
/// Implemented by [`Proxy`] and [`CallableProxy`] only (sealed). Where
/// Python checks `isinstance(x, ProxyTypes)` at run time, Rust code bounds on
/// `P: AnyProxy` to accept either proxy type, and reads
/// [`AnyProxy::CALLABLE`] to tell them apart; [`is_proxy`] answers for a
/// `&dyn Any`.
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{Header, Referent};
/// use weakref_proxy::{proxy, AnyProxy, Function};
///
/// fn describe<P: AnyProxy>(p: &P) -> String {
///     let kind = if P::CALLABLE { "callable proxy" } else { "proxy" };
///     let state = if p.is_alive() { "alive" } else { "dead" };
///     format!("{kind}, {state}")
/// }
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let o = Arc::new(Obj { header: Header::new() });
/// let f = Arc::new(Function::new(|()| ()));
/// assert_eq!(describe(&proxy(&o)), "proxy, alive");
/// let p = proxy(&f);
/// drop(f);
/// assert_eq!(describe(&p), "callable proxy, dead");
/// ```
pub trait AnyProxy: sealed::Sealed + Clone + fmt::Debug {
    /// The type of the referent.
    type Referent: ?Sized + Referent;
    /// The pointer family: `ArcFamily`, or `RcFamily` for `rc` proxies.
    type Family: Family;

    /// Whether this is the callable proxy type (`CallableProxyType`).
    ///
    /// ```
    /// use weakref_proxy::{AnyProxy, CallableProxy, Function, Proxy};
    ///
    /// assert!(CallableProxy::<Function<(), ()>>::CALLABLE);
    /// assert!(!Proxy::<Function<(), ()>>::CALLABLE);
    /// ```
    const CALLABLE: bool;

    /// The weak reference object under the proxy (see [`Proxy::weakref`]).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weakref_core::{getweakrefs, Ref};
    /// use weakref_proxy::{proxy, AnyProxy, Function};
    ///
    /// let f = Arc::new(Function::new(|x: u8| x));
    /// let p = proxy(&f);
    /// assert!(Ref::ptr_eq(AnyProxy::weakref(&p), &getweakrefs(&f)[0]));
    /// ```
    fn weakref(&self) -> &Ref<Self::Referent, Self::Family>;

    /// The referent, or `Err(ReferenceError)` if it is gone (see [`Proxy::get`]).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weakref_proxy::{proxy, AnyProxy, Function};
    ///
    /// let f = Arc::new(Function::new(|x: u8| x));
    /// let p = proxy(&f);
    /// assert!(AnyProxy::get(&p).is_ok());
    /// drop(f);
    /// assert!(AnyProxy::get(&p).is_err());
    /// ```
    #[allow(clippy::type_complexity)] // the family's strong pointer: `Arc<T>` or `Rc<T>`
    fn get(&self) -> Result<<Self::Family as Family>::Strong<Self::Referent>, ReferenceError>;

    /// Whether the referent is still alive (see [`Proxy::is_alive`]).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weakref_proxy::{proxy, AnyProxy, Function};
    ///
    /// let f = Arc::new(Function::new(|x: u8| x));
    /// let p = proxy(&f);
    /// assert!(AnyProxy::is_alive(&p));
    /// drop(f);
    /// assert!(!AnyProxy::is_alive(&p));
    /// ```
    fn is_alive(&self) -> bool {
        self.weakref().is_alive()
    }
}

impl<T: ?Sized + Referent, F: Family> AnyProxy for Proxy<T, F> {
    type Referent = T;
    type Family = F;
    const CALLABLE: bool = false;

    fn weakref(&self) -> &Ref<T, F> {
        Proxy::weakref(self)
    }

    fn get(&self) -> Result<F::Strong<T>, ReferenceError> {
        Proxy::get(self)
    }
}

impl<T: ?Sized + Referent, F: Family> AnyProxy for CallableProxy<T, F> {
    type Referent = T;
    type Family = F;
    const CALLABLE: bool = true;

    fn weakref(&self) -> &Ref<T, F> {
        CallableProxy::weakref(self)
    }

    fn get(&self) -> Result<F::Strong<T>, ReferenceError> {
        CallableProxy::get(self)
    }
}

/// Python's `isinstance(value, weakref.ProxyTypes)`, for proxies to `T`:
/// whether `value` is a [`Proxy<T>`] or a [`CallableProxy<T>`], of either
/// pointer family.
///
/// Rust has no run-time type of "a proxy to anything"; the referent type is
/// part of the question. Generic code bounds on [`AnyProxy`] instead.
///
/// ```
/// use std::any::Any;
/// use std::sync::Arc;
/// use weakref_core::Ref;
/// use weakref_proxy::{is_proxy, proxy, Function};
///
/// type F = Function<i32, i32>;
/// let f: Arc<F> = Arc::new(Function::new(|x| x));
/// assert!(is_proxy::<F>(&proxy(&f)));
/// assert!(!is_proxy::<F>(&Ref::new(&f)));
/// assert!(!is_proxy::<F>(&f));
/// ```
#[must_use]
pub fn is_proxy<T: ?Sized + Referent + 'static>(value: &dyn Any) -> bool {
    value.is::<Proxy<T>>()
        || value.is::<CallableProxy<T>>()
        || value.is::<Proxy<T, RcFamily>>()
        || value.is::<CallableProxy<T, RcFamily>>()
}
