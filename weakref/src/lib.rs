//! Python's [`weakref`](https://docs.python.org/3/library/weakref.html)
//! module, native in Rust.
//!
//! The `weakref` module allows the Rust programmer to create weak references
//! to `Arc`-shared objects: references that do not keep their object alive,
//! that can run a callback when it dies, that can be counted and listed per
//! object, and that hash and compare like Python's.
//!
//! Not all objects can be weakly referenced: an object is weakly referenceable
//! when its type holds a [`Header`] and derives [`Referent`]. Using a type
//! without it is a compile error. A trait object is weakly referenceable when
//! its trait has `Referent` as a supertrait (`trait Shape: Referent`), and a
//! value of a type you do not own when wrapped in [`Weakable`] (as Python
//! makes a `dict` weakly referenceable by subclassing it).
//!
//! ```
//! use std::sync::Arc;
//! use weakref::{getweakrefcount, getweakrefs, Header, Ref, Referent};
//!
//! #[derive(Referent)]
//! struct Node { name: String, header: Header }
//!
//! let n = Arc::new(Node { name: "a".into(), header: Header::new() });
//! let r = Ref::with_callback(&n, |r: &Ref<Node>| eprintln!("gone: {r:?}"));
//! let shared = Ref::new(&n);
//! assert!(Ref::ptr_eq(&shared, &Ref::new(&n))); // the callback-less ref is shared
//! assert_eq!(getweakrefcount(&n), 2);
//! assert_eq!(getweakrefs(&n).len(), 2);
//! drop(n); // the callback runs here
//! assert!(r.get().is_none());
//! ```
//!
//! # Contents, as in Python's module
//! - [`ref`](Ref) (`Ref::new`, `Ref::with_callback`): a weak reference; the
//!   referent while it lives (`get`), then `None`. Callbacks run once, newest
//!   first, after every weak reference to the object was cleared. Exceptions
//!   (panics) in callbacks are reported through [`set_unraisable_hook`]
//!   (default: standard error) and never propagated.
//! - [`getweakrefcount`], [`getweakrefs`]: the weak references of an object.
//! - [`ReferenceType`]: the weak reference type. [`ReferenceError`]: what
//!   using a dead proxy fails with.
//! - Weak references are hashable if the object is, keep their hash after
//!   the object died, and compare equal when both objects are alive and
//!   equal (otherwise only to themselves); they are not ordered.
//! - [`proxy`], [`proxy_with_callback`]: a weak proxy, used as its referent:
//!   [`with`](Proxy::with), comparisons, `Display` and operators forward to
//!   the referent while it lives, then fail with [`ReferenceError`] (the std
//!   traits panic with it; each has a `try_` form). [`ProxyType`] and
//!   [`CallableProxyType`] (with [`call`](CallableProxy::call), chosen at
//!   compile time for callable types) are the two proxy types; [`AnyProxy`]
//!   is either (`ProxyTypes`). Proxies are never hashable. [`Function`] is a
//!   weakly referenceable closure.
//! - [`WeakValueDictionary`], [`WeakKeyDictionary`], [`WeakSet`]: hash maps
//!   holding their values or keys weakly, and a set holding its elements
//!   weakly; an entry disappears the moment its object dies, on any thread.
//! - [`ConcurrentWeakValueDictionary`]: a `WeakValueDictionary` that many
//!   threads share through `&self` (sharded, no global lock on `get`), whose
//!   `get_or_insert_with` makes each key's value once while it lives: the
//!   interning cache Python programs build from a dictionary and a lock.
//! - [`Weakable`]: a value of any type, made weakly referenceable, such as
//!   the byte buffers of a cache:
//!
//! ```
//! use std::sync::Arc;
//! use weakref::{WeakValueDictionary, Weakable};
//!
//! let mut cache: WeakValueDictionary<String, Weakable<Vec<u8>>> = WeakValueDictionary::new();
//! let logo = Arc::new(Weakable::new(vec![0x89, b'P', b'N', b'G']));
//! cache.insert("logo.png".to_owned(), &logo);
//! assert_eq!(cache.get("logo.png").unwrap()[1..], *b"PNG");
//! drop(logo); // the last user let go: the entry is gone
//! assert!(cache.get("logo.png").is_none() && cache.is_empty());
//! ```
#![forbid(unsafe_code)]

#[doc(inline)]
pub use weakref_collections::{
    AddressHasher, BuildAddressHasher, ByIdentity, ByValue, ConcurrentWeakValueDictionary, KeyMode,
    WeakIdentitySet, WeakKeyDictionary, WeakKeyIdentityDictionary, WeakKeyMap, WeakKeySet, WeakSet,
    WeakValueDictionary,
};
/// The collections' iterators and entry types, by collection.
pub use weakref_collections::{
    concurrent_weak_value_dictionary, weak_key_dictionary, weak_set, weak_value_dictionary,
};
#[doc(inline)]
pub use weakref_core::__private::Referent;
#[doc(inline)]
pub use weakref_core::ops;
#[doc(inline)]
pub use weakref_core::{
    Accepts, ArcFamily, Callable, CallableKind, Dead, Family, Finalize, Header, PlainKind,
    ProxyKind, RcFamily, Ref, ReferenceError, ReferenceType, StrongRef, UnraisableHook,
    UnraisableInfo, WeakMethod, Weakable, finalize, getweakrefcount, getweakrefs,
    set_unraisable_hook,
};
/// `#[derive(Referent)]`: makes a struct weakly referenceable (see the
/// [`Referent`](trait@Referent) trait).
///
/// ```
/// use std::sync::Arc;
/// use weakref::{Header, Ref, Referent};
///
/// #[derive(Referent)]
/// struct Named { name: &'static str, header: Header }
///
/// let n = Arc::new(Named { name: "x", header: Header::new() });
/// assert_eq!(Ref::new(&n).get().unwrap().name, "x");
/// ```
pub use weakref_derive::FacadeReferent as Referent;
#[doc(inline)]
pub use weakref_proxy::{
    AnyProxy, CallableProxy, CallableProxyType, Function, Proxy, ProxyOf, ProxyType, SelectProxy,
    is_proxy, proxy, proxy_with_callback,
};

/// The single-threaded flavour: the module's names for `std::rc::Rc`
/// objects, as `std::rc` stands beside `std::sync`.
///
/// Most programs with weak pointers are single-threaded (trees with parent
/// pointers, scene graphs, editors on `Rc<RefCell<_>>`). Here every name of
/// the crate root serves `Rc` objects: callbacks need not be `Send` (they
/// may capture `Rc`s), and the types are neither `Send` nor `Sync`. The same
/// [`Header`] and `#[derive(Referent)]` serve both flavours,
/// and the same code runs both: each type here is the crate root's type with
/// [`RcFamily`] as its pointer family.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use weakref::{rc, Header, Referent};
///
/// #[derive(Referent)]
/// struct Node {
///     name: &'static str,
///     parent: RefCell<rc::Ref<Node>>,
///     header: Header,
/// }
///
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let root = Rc::new(Node { name: "root", parent: RefCell::default(), header: Header::new() });
/// let leaf = Rc::new(Node { name: "leaf", parent: RefCell::default(), header: Header::new() });
/// *leaf.parent.borrow_mut() = rc::Ref::new(&root);
/// let sink = Rc::clone(&log);
/// let _watch = rc::Ref::with_callback(&root, move |_| sink.borrow_mut().push("root dropped"));
/// assert_eq!(leaf.parent.borrow().get().unwrap().name, "root");
/// drop(root);
/// assert!(leaf.parent.borrow().get().is_none());
/// assert_eq!(*log.borrow(), ["root dropped"]);
/// ```
pub mod rc {
    #[doc(inline)]
    pub use weakref_collections::rc::{
        WeakIdentitySet, WeakKeyDictionary, WeakKeyIdentityDictionary, WeakSet, WeakValueDictionary,
    };
    #[doc(inline)]
    pub use weakref_core::rc::{
        Finalize, Ref, ReferenceType, WeakMethod, finalize, getweakrefcount, getweakrefs,
    };
    #[doc(inline)]
    pub use weakref_proxy::rc::{
        CallableProxy, CallableProxyType, Proxy, ProxyOf, ProxyType, proxy, proxy_with_callback,
    };
}

/// What `#[derive(Referent)]` expands to refers to; not public API.
#[doc(hidden)]
pub mod __private {
    pub use weakref_core::__private::*;
}

/// The README's example, compiled and run as a doc test.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
