//! Python's `weakref` for `Arc`-shared objects: weak references with
//! finalization callbacks, counted and listed per object, hashed and compared
//! like Python's.
//!
//! This is the core of the [`weakref`](https://docs.rs/weakref) workspace;
//! most users depend on the `weakref` facade, which re-exports everything here
//! along with proxies and weak dictionaries.
//!
//! An object is weakly referenceable when its type holds a [`Header`] and
//! implements [`Referent`], normally with `#[derive(Referent)]`. A [`Ref`] to
//! an `Arc` of it gives the object back while it lives, and can run a callback
//! when its last strong `Arc` is dropped:
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use weakref_core::{getweakrefcount, getweakrefs, Header, Ref, Referent};
//!
//! #[derive(Referent)]
//! struct Node { name: String, header: Header }
//!
//! let gone = Arc::new(Mutex::new(Vec::new()));
//! let n = Arc::new(Node { name: "a".into(), header: Header::new() });
//! let log = gone.clone();
//! let r = Ref::with_callback(&n, move |r: &Ref<Node>| {
//!     assert!(r.get().is_none()); // cleared before any callback runs
//!     log.lock().unwrap().push("a");
//! });
//! let shared = Ref::new(&n);
//! assert!(Ref::ptr_eq(&shared, &Ref::new(&n))); // the callback-less ref is shared
//! assert_eq!(getweakrefcount(&n), 2);
//! assert_eq!(getweakrefs(&n).len(), 2);
//! assert_eq!(r.get().unwrap().name, "a");
//! drop(n); // the last strong reference: the callback runs here
//! assert!(r.get().is_none() && shared.get().is_none());
//! assert_eq!(*gone.lock().unwrap(), ["a"]);
//! ```
//!
//! # How it maps to Python
//! - "the object is about to be finalized" = its last strong `Arc` is dropped.
//!   From that moment no weak reference can reach it; then callbacks run,
//!   newest first, on the thread that dropped it, with no lock held. Deaths
//!   set off inside callbacks are queued, not recursed into.
//! - A panicking callback is reported through [`set_unraisable_hook`]
//!   (default: stderr), like Python's "Exception ignored in".
//! - A value moved out of its `Arc` (`Arc::try_unwrap`, `into_inner`,
//!   `make_mut` away from weak refs) leaves its weak references behind, dead,
//!   as `std::sync::Weak` does; their callbacks run when the value is dropped
//!   or weakly referenced again.
//! - Reference cycles of `Arc`s are never collected (there is no cycle
//!   collector); weak references are the tool to avoid them.
//! - A callback can run while its thread unwinds from another panic (the
//!   object was dropped during unwinding): its own panic is caught and
//!   reported like any other, and the outer panic goes on unchanged (CPython's
//!   `test_callbacks_protected`).
//!
//! # Where callbacks run, and two traps
//! A callback (and every `Drop` of the dying object) runs on the thread that
//! drops the last strong reference — which may be a temporary: the `Arc` a
//! `get()` returned, a proxy's forwarded call, a dictionary lookup's result.
//! So a callback can run in the middle of your own code, with your locks
//! held. If a callback takes a lock of yours, never let the last strong
//! reference die while you hold that lock:
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use weakref_core::{Header, Ref, Referent};
//!
//! #[derive(Referent)]
//! struct Listener { header: Header }
//!
//! let registry: Arc<Mutex<Vec<Ref<Listener>>>> = Arc::default();
//! let l = Arc::new(Listener { header: Header::new() });
//! let reg = Arc::clone(&registry);
//! // The callback locks the registry (to prune dead entries, say).
//! let r = Ref::with_callback(&l, move |_| reg.lock().unwrap().retain(|r| r.is_alive()));
//! registry.lock().unwrap().push(r);
//! // Wrong: `for r in registry.lock().unwrap().iter() { r.get(); }` — if the
//! // last `Arc` dies while the temporary from `get()` is dropped inside the
//! // loop, the callback runs there and locks the registry again: deadlock.
//! // Right: take what you need out of the lock, then use it.
//! let alive: Vec<Arc<Listener>> =
//!     registry.lock().unwrap().iter().filter_map(Ref::get).collect();
//! drop(l); // not the last strong reference: `alive` holds one
//! drop(alive); // the last one goes here, with no lock held: fine
//! assert!(registry.lock().unwrap().is_empty());
//! ```
//!
//! A callback (or a finalizer's function) that captures a strong `Arc` of
//! its own referent keeps the referent alive as long as the callback exists:
//! for a `Ref::with_callback`, until the ref's last handle is dropped; for a
//! [`finalize`] function, forever (the finalizer keeps itself). Capture a
//! `Ref`, or the data the callback needs, instead (Python's documentation of
//! `finalize` gives the same warning).
//!
//! # Costs
//! A [`Header`] is one word and allocates nothing until the object is first
//! weakly referenced. `Ref::get` is `std::sync::Weak::upgrade`. `Ref::new`
//! when the shared ref exists takes no lock and allocates nothing.
#![deny(unsafe_op_in_unsafe_fn)]

mod callback;
mod dead;
mod error;
mod family;
mod finalize;
mod hash;
mod header;
mod introspection;
mod kind;
mod list;
mod list_lock;
mod node;
pub mod ops;
mod pool;
pub mod rc;
mod reference;
mod sync;
mod unraisable;
mod weak_method;
mod weakable;

pub use crate::dead::Dead;
pub use crate::error::ReferenceError;
pub use crate::family::{Accepts, ArcFamily, Family, RcFamily, StrongRef};
pub use crate::finalize::{Finalize, finalize};
pub use crate::header::{Header, Referent};
pub use crate::introspection::{getweakrefcount, getweakrefs};
pub use crate::kind::{Callable, CallableKind, PlainKind, ProxyKind};
pub use crate::reference::{Ref, ReferenceType};
pub use crate::unraisable::{UnraisableHook, UnraisableInfo, set_unraisable_hook};
pub use crate::weak_method::WeakMethod;
pub use crate::weakable::Weakable;
/// `#[derive(Referent)]`: makes a struct weakly referenceable.
///
/// The struct needs one [`Header`] field, stored inline (not behind `Box`,
/// `Arc` or a reference). It is found by its type's name, preferring a path
/// that names this crate's `Header` (`weakref_core::Header`,
/// `weakref::Header`) to a bare `Header`, and a bare `Header` to any other
/// path (`proto::Header`); or it is marked `#[referent(header)]`, which a
/// tie between two fields requires. `#[referent(callable)]` on the struct says it
/// implements [`Callable`], so `proxy()` gives a callable proxy;
/// `#[referent(crate = "path")]` names this crate when it is re-exported
/// under another path. The derive also lends the operators of `&Struct` to
/// the struct's proxies (it implements [`ops::Forward`] and
/// [`ops::Reflected`]).
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{Header, Ref, Referent};
///
/// #[derive(Referent)]
/// struct Pair<T: Clone>(T, T, Header);
///
/// let p = Arc::new(Pair(1, 2, Header::new()));
/// assert_eq!(Ref::new(&p).get().unwrap().1, 2);
/// ```
pub use weakref_derive::Referent;

/// Under `cfg(loom)`, the `Arc` and `Weak` the crate's API takes: std's
/// algorithm on loom's atomics, so loom models see the referent's strong
/// count (see `sync/model_arc.rs`). Not public API.
#[cfg(loom)]
#[doc(hidden)]
pub mod __loom {
    pub use crate::sync::model_arc::{Arc, Weak};
}

/// Recycled death-hook nodes, for `weakref-collections`; not public API.
#[doc(hidden)]
pub mod __pool {
    pub use crate::pool::{HookPool, PooledHook};
}

/// What `#[derive(Referent)]` expands to refers to; not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::header::{Header, Referent};
    pub use crate::kind::{Callable, CallableKind, PlainKind, ProxyKind};
    pub use crate::ops::{Forward, Operator, Reflected};

    /// The type a header field must have: [`Header`] itself, nothing else.
    ///
    /// The derive reads the header as `<FieldType as HeaderField>::header(&self.field)`.
    /// A plain `&self.field` would also compile for `Box<Header>`,
    /// `Arc<Header>` or `&Header` through deref coercion, and then clones
    /// would share one list of weak references; a qualified trait call does
    /// not coerce, so anything but `Header` (or an alias of it) is a compile
    /// error spanned on the field's type. Sealed: only `Header` implements it.
    #[diagnostic::on_unimplemented(
        message = "the header field must be a `weakref::Header` itself, not `{Self}`",
        label = "the header field's type must be `Header`",
        note = "a header must be stored inline in its object: behind a pointer (`Box`, `Arc`, `Rc`, `&`) or inside another type, clones and moved values would share weak references that are not theirs",
        note = "declare the field as `header: Header` (an alias of `Header` is fine); if this field is not the referent's header, add a `weakref::Header` field and mark that one `#[referent(header)]`"
    )]
    pub trait HeaderField: sealed::Sealed {
        /// The header itself.
        fn header(&self) -> &Header;
    }

    impl HeaderField for Header {
        #[inline]
        fn header(&self) -> &Header {
            self
        }
    }

    mod sealed {
        pub trait Sealed {}
        impl Sealed for super::Header {}
    }
}
