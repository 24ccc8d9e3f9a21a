//! `Proxy<T>`: Python's `weakref.ProxyType`, a proxy to a referent that
//! cannot be called.

use core::cmp::Ordering;
use core::fmt;

use weakref_core::{Accepts, ArcFamily, Family, Ref, ReferenceError, Referent, StrongRef};

use crate::forward::forward_proxy;

/// A weak proxy (Python's `weakref.ProxyType`): a weak reference used as its
/// referent, which forwards to it while it lives and fails with
/// [`ReferenceError`] once it is gone.
///
/// Make one with [`proxy`](crate::proxy) (which picks [`CallableProxy`](crate::CallableProxy)
/// for callable types) or [`Proxy::new`] (which also serves trait objects).
/// Use the referent through [`with`](Proxy::with) or [`get`](Proxy::get), the
/// comparison operators, `Display`, and the arithmetic and bit operators of
/// `&T` (`&p + 5`, and `2 * &p` for the primitive number types: see the
/// [crate docs](crate#operators)), which panic with [`ReferenceError::MESSAGE`]
/// when the referent is gone and have `try_` forms that return
/// `Err(ReferenceError)` instead.
///
/// A `Proxy` is a handle to a weak reference object, like [`Ref`]: clones
/// are the same object ([`Proxy::ptr_eq`]). It is `Send`/`Sync` when `T` is
/// `Send + Sync`, and never `Hash`, whatever `T` is (as in Python).
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{Header, ReferenceError, Referent};
/// use weakref_proxy::{proxy, Proxy};
///
/// #[derive(Referent)]
/// struct Account { balance: i64, header: Header }
///
/// impl std::ops::Add<i64> for &Account {
///     type Output = i64;
///     fn add(self, amount: i64) -> i64 { self.balance + amount }
/// }
///
/// let a = Arc::new(Account { balance: 100, header: Header::new() });
/// let p: Proxy<Account> = proxy(&a);
/// assert_eq!(p.with(|a| a.balance), Ok(100));
/// assert_eq!(&p + 5, 105);
/// drop(a);
/// assert_eq!(p.try_add(5), Err(ReferenceError));
/// let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| &p + 5));
/// assert!(panicked.is_err()); // with ReferenceError::MESSAGE
/// ```
pub struct Proxy<T: ?Sized + Referent, F: Family = ArcFamily> {
    /// The weak reference object under the proxy.
    weak: Ref<T, F>,
}

/// Python's name for the proxy type of referents that cannot be called.
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{Header, Referent};
/// use weakref_proxy::{proxy, ProxyType};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let obj = Arc::new(Obj { header: Header::new() });
/// let p: ProxyType<Obj> = proxy(&obj);
/// assert!(p.is_alive());
/// ```
pub type ProxyType<T, F = ArcFamily> = Proxy<T, F>;

impl<T: ?Sized + Referent, F: Family> Proxy<T, F> {
    /// Python's `proxy(obj)`: the object's shared callback-less proxy, made
    /// on first use. It is a weak reference object of its own, not the
    /// shared [`Ref`].
    ///
    /// [`proxy`](crate::proxy) is the same for types that cannot be called;
    /// `new` also serves trait objects, and makes a plain proxy of any type.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weakref_core::{getweakrefcount, Header, Ref, Referent};
    /// use weakref_proxy::Proxy;
    ///
    /// trait Shape: Referent { fn area(&self) -> f64; }
    /// #[derive(Referent)]
    /// struct Square { side: f64, header: Header }
    /// impl Shape for Square { fn area(&self) -> f64 { self.side * self.side } }
    ///
    /// let s: Arc<dyn Shape> = Arc::new(Square { side: 2.0, header: Header::new() });
    /// let p = Proxy::new(&s);
    /// assert!(Proxy::ptr_eq(&p, &Proxy::new(&s)));
    /// let r = Ref::new(&s);
    /// assert!(!Ref::ptr_eq(p.weakref(), &r));
    /// assert_eq!(getweakrefcount(&s), 2);
    /// assert_eq!(p.with(|s| s.area()), Ok(4.0));
    /// ```
    #[must_use]
    pub fn new<P>(obj: &P) -> Self
    where
        P: StrongRef<T, Family = F>,
    {
        Proxy {
            weak: Ref::__shared_proxy(obj.as_family()),
        }
    }

    /// Python's `proxy(obj, callback)`: a new proxy whose `callback` runs once
    /// when `obj` dies, given this same proxy (already dead).
    ///
    /// The callback runs like a [`Ref`]'s (see [`Ref::with_callback`]):
    /// after every weak reference and proxy of `obj` was cleared, newest
    /// first among all of them, on the thread that dropped the last strong
    /// `Arc`; never if every handle of the proxy was dropped first.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use weakref_core::{Header, Referent};
    /// use weakref_proxy::Proxy;
    ///
    /// #[derive(Referent)]
    /// struct Obj { header: Header }
    ///
    /// let seen = Arc::new(Mutex::new(None));
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let log = seen.clone();
    /// let p = Proxy::with_callback(&obj, move |p: &Proxy<Obj>| {
    ///     *log.lock().unwrap() = Some(p.clone());
    /// });
    /// drop(obj);
    /// let given = seen.lock().unwrap().take().unwrap();
    /// assert!(Proxy::ptr_eq(&given, &p) && !given.is_alive());
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
}

forward_proxy!(Proxy);
