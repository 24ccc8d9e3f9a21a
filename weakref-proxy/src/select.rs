//! `proxy()` and `proxy_with_callback()`: the proxy type chosen at compile
//! time from the referent's [`ProxyKind`].

use std::sync::Arc;

use weakref_core::{
    Accepts, ArcFamily, Callable, CallableKind, Family, PlainKind, ProxyKind, Referent,
};

use crate::any_proxy::{AnyProxy, sealed::Sealed};
use crate::callable_proxy::CallableProxy;
use crate::proxy::Proxy;

/// The proxy type of `T`: [`CallableProxy<T>`] if `T` is callable
/// (`#[referent(callable)]`), otherwise [`Proxy<T>`]. What [`proxy`] returns.
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{Header, Referent};
/// use weakref_proxy::{proxy, CallableProxy, Function, Proxy, ProxyOf};
///
/// #[derive(Referent)]
/// struct Plain { header: Header }
///
/// let plain = Arc::new(Plain { header: Header::new() });
/// let f = Arc::new(Function::new(|x: i32| -x));
/// let p: ProxyOf<Plain> = proxy(&plain);
/// let _: Proxy<Plain> = p; // the same type
/// let c: CallableProxy<Function<i32, i32>> = proxy(&f);
/// assert_eq!(c.call(1), Ok(-1));
/// ```
pub type ProxyOf<T, F = ArcFamily> = <<T as ProxyKind>::Kind as SelectProxy<T, F>>::Proxy;

/// Maps a [`ProxyKind`] marker to its proxy type: [`PlainKind`] to
/// [`Proxy<T>`], [`CallableKind`] to [`CallableProxy<T>`] (which needs
/// `T: Callable`). Sealed: the two markers are the only kinds.
///
/// Bound on it to write code generic over what [`proxy`] returns:
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{Header, ProxyKind, Referent};
/// use weakref_proxy::{proxy, AnyProxy, ProxyOf, SelectProxy};
///
/// fn alive_proxy<T>(obj: &Arc<T>) -> bool
/// where
///     T: Referent + ProxyKind,
///     T::Kind: SelectProxy<T>,
/// {
///     let p: ProxyOf<T> = proxy(obj);
///     p.is_alive()
/// }
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
/// assert!(alive_proxy(&Arc::new(Obj { header: Header::new() })));
/// ```
pub trait SelectProxy<T: ?Sized + Referent, F: Family = ArcFamily>: Sealed {
    /// `Proxy<T, F>` or `CallableProxy<T, F>`.
    type Proxy: AnyProxy<Referent = T, Family = F>;

    /// The shared callback-less proxy of `obj` (what [`proxy`] does).
    #[doc(hidden)]
    fn new_proxy(obj: &F::Strong<T>) -> Self::Proxy;

    /// A new proxy of `obj` with a callback (what [`proxy_with_callback`] does).
    #[doc(hidden)]
    fn new_proxy_with_callback<C>(obj: &F::Strong<T>, callback: C) -> Self::Proxy
    where
        C: FnOnce(&Self::Proxy) + 'static,
        F: Accepts<C>;
}

impl<T: ?Sized + Referent, F: Family> SelectProxy<T, F> for PlainKind {
    type Proxy = Proxy<T, F>;

    fn new_proxy(obj: &F::Strong<T>) -> Proxy<T, F> {
        Proxy::__from_ref(weakref_core::Ref::__shared_proxy(obj))
    }

    fn new_proxy_with_callback<C>(obj: &F::Strong<T>, callback: C) -> Proxy<T, F>
    where
        C: FnOnce(&Proxy<T, F>) + 'static,
        F: Accepts<C>,
    {
        Proxy::__with_callback(obj, callback)
    }
}

impl<T: ?Sized + Referent + Callable, F: Family> SelectProxy<T, F> for CallableKind {
    type Proxy = CallableProxy<T, F>;

    fn new_proxy(obj: &F::Strong<T>) -> CallableProxy<T, F> {
        CallableProxy::__from_ref(weakref_core::Ref::__shared_proxy(obj))
    }

    fn new_proxy_with_callback<C>(obj: &F::Strong<T>, callback: C) -> CallableProxy<T, F>
    where
        C: FnOnce(&CallableProxy<T, F>) + 'static,
        F: Accepts<C>,
    {
        CallableProxy::__with_callback(obj, callback)
    }
}

/// Python's `weakref.proxy(obj)`: the object's shared callback-less proxy,
/// a [`CallableProxy`] if `T` is callable, else a [`Proxy`].
///
/// Calling it again returns the same proxy (Python's `proxy(o) is proxy(o)`);
/// it is a weak reference object of its own, distinct from the shared
/// [`Ref`](weakref_core::Ref), counted by
/// [`getweakrefcount`](weakref_core::getweakrefcount) and listed by
/// [`getweakrefs`](weakref_core::getweakrefs) right after the shared ref.
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{getweakrefcount, Header, ReferenceError, Referent};
/// use weakref_proxy::{proxy, Proxy};
///
/// #[derive(Referent)]
/// struct Obj { items: Vec<u8>, header: Header }
///
/// let o = Arc::new(Obj { items: vec![1, 2], header: Header::new() });
/// let p = proxy(&o);
/// assert!(Proxy::ptr_eq(&p, &proxy(&o)));
/// assert_eq!(getweakrefcount(&o), 1);
/// assert_eq!(p.with(|o| o.items.len()), Ok(2));
/// drop(o);
/// assert_eq!(p.with(|o| o.items.len()), Err(ReferenceError));
/// ```
#[must_use]
pub fn proxy<T>(obj: &Arc<T>) -> ProxyOf<T>
where
    T: ?Sized + Referent + ProxyKind,
    T::Kind: SelectProxy<T>,
{
    <T::Kind as SelectProxy<T>>::new_proxy(obj)
}

/// Python's `weakref.proxy(obj, callback)`: a new proxy (never shared) whose
/// `callback` runs once when `obj` dies, given this same proxy (already
/// dead); a [`CallableProxy`] if `T` is callable, else a [`Proxy`].
///
/// Callbacks of proxies and [`Ref`](weakref_core::Ref)s of one object run
/// together, newest first, after all of them were cleared.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use weakref_core::{Header, Ref, Referent};
/// use weakref_proxy::{proxy_with_callback, Proxy};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let o = Arc::new(Obj { header: Header::new() });
/// let (l1, l2) = (log.clone(), log.clone());
/// let _r = Ref::with_callback(&o, move |_| l1.lock().unwrap().push("ref"));
/// let p = proxy_with_callback(&o, move |p: &Proxy<Obj>| {
///     assert!(!p.is_alive());
///     l2.lock().unwrap().push("proxy");
/// });
/// drop(o);
/// assert_eq!(*log.lock().unwrap(), ["proxy", "ref"]); // newest first
/// assert!(!p.is_alive());
/// ```
#[must_use]
pub fn proxy_with_callback<T, F>(obj: &Arc<T>, callback: F) -> ProxyOf<T>
where
    T: ?Sized + Referent + ProxyKind,
    T::Kind: SelectProxy<T>,
    F: FnOnce(&ProxyOf<T>) + Send + 'static,
{
    <T::Kind as SelectProxy<T>>::new_proxy_with_callback(obj, callback)
}

#[cfg(test)]
mod tests {
    use std::any::TypeId;

    use weakref_core::Header;

    use super::*;
    use crate::Function;

    #[derive(weakref_core::Referent)]
    struct Plain {
        header: Header,
    }

    #[test]
    fn proxy_of_is_chosen_by_the_kind() {
        assert_eq!(TypeId::of::<ProxyOf<Plain>>(), TypeId::of::<Proxy<Plain>>());
        type F = Function<(), ()>;
        assert_eq!(TypeId::of::<ProxyOf<F>>(), TypeId::of::<CallableProxy<F>>());
    }

    #[test]
    fn proxy_and_the_constructors_share_one_node() {
        let f = Arc::new(Function::new(|x: u8| x));
        let via_fn = proxy(&f);
        let plain = Proxy::new(&f);
        assert!(weakref_core::Ref::ptr_eq(via_fn.weakref(), plain.weakref()));
        assert_eq!(weakref_core::getweakrefcount(&f), 1);
    }
}
