//! `Ref<T>`: Python's `weakref.ref`, the weak reference type, for both
//! pointer families (`Ref<T>` for `Arc`, `rc::Ref<T>` for `Rc`).

use core::fmt;
use core::hash::{Hash, Hasher};
use std::hash::DefaultHasher;

use crate::dead::Dead;
use crate::error::ReferenceError;
use crate::family::{Accepts, ArcFamily, Family, StrongRef};
use crate::header::Referent;
use crate::node::{Callback, Handle, Hook, Payload, Slot};

/// A weak reference to an `Arc<T>` (Python's `weakref.ref`, [`ReferenceType`]).
///
/// [`get`](Ref::get) returns the referent while some `Arc` keeps it alive,
/// and `None` from the moment its last strong `Arc` is dropped. A ref made with
/// [`with_callback`](Ref::with_callback) runs its callback once, after every
/// weak reference to the object has been cleared.
///
/// A `Ref` is a handle to a *weak reference object*: clones are the same
/// object ([`Ref::ptr_eq`]), and the object lives until its last handle is
/// dropped. [`Ref::new`] reuses the object's one callback-less ref, so
/// `Ref::new(&x)` twice gives the same object, as `ref(x) is ref(x)` in Python.
///
/// Equality follows Python: two refs whose referents are both alive compare
/// the referents; otherwise they are equal only if they are the same object.
/// A ref hashes as its referent (computed once, then cached, so a dead ref
/// keeps its hash). Refs are not ordered.
///
/// The second type parameter is the pointer family: [`ArcFamily`] (the
/// default) for `std::sync::Arc` objects, [`RcFamily`](crate::RcFamily) for
/// `std::rc::Rc` ones, whose refs are [`rc::Ref`](crate::rc::Ref). Both
/// behave the same, but `rc` refs and their callbacks never leave their
/// thread, so callbacks need not be `Send`.
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{getweakrefcount, Header, Ref, Referent};
///
/// #[derive(Referent)]
/// struct Node { name: String, header: Header }
///
/// let n = Arc::new(Node { name: "a".into(), header: Header::new() });
/// let r = Ref::with_callback(&n, |r: &Ref<Node>| assert!(r.get().is_none()));
/// let shared = Ref::new(&n);
/// assert!(Ref::ptr_eq(&shared, &Ref::new(&n)));
/// assert_eq!(getweakrefcount(&n), 2);
/// assert_eq!(r.get().unwrap().name, "a");
/// drop(n); // the callback runs here
/// assert!(r.get().is_none());
/// ```
// No `Referent` bound on the struct itself: the impls carry it, and a
// missing derive is then reported once (at the constructor), not twice.
pub struct Ref<T: ?Sized, F: Family = ArcFamily> {
    /// The weak reference object; `None` only for [`Ref::default`], which
    /// never had a referent. Taken out exactly once, by `drop` or `cancel`.
    node: Option<Handle>,
    /// How this handle reaches the referent; `None` in the ref handed to a
    /// callback (its referent is already gone) and in `Ref::default()`.
    weak: Option<F::Weak<T>>,
}

/// Python's name for the weak reference type.
pub type ReferenceType<T, F = ArcFamily> = Ref<T, F>;

impl<T: ?Sized + Referent, F: Family> Ref<T, F> {
    /// Python's `ref(obj)`: the object's shared callback-less weak reference,
    /// made on first use. Allocation-free when it already exists.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// assert!(Ref::ptr_eq(&Ref::new(&obj), &Ref::new(&obj)));
    /// ```
    #[must_use]
    #[inline]
    pub fn new<P>(obj: &P) -> Ref<T, F>
    where
        P: StrongRef<T, Family = F>,
    {
        Self::shared(obj.as_family(), Slot::Ref)
    }

    /// A handle to the shared node of `slot` of `obj`.
    #[inline]
    fn shared(obj: &F::Strong<T>, slot: Slot) -> Ref<T, F> {
        let node = obj.weakref_header().attach().shared(slot);
        Self::from_parts(node, obj)
    }

    /// Python's `ref(obj, callback)`: a new weak reference object whose
    /// `callback` runs once when `obj` dies, given this same weak reference
    /// object (already dead).
    ///
    /// Callbacks of one object run newest first, after every weak reference
    /// to it was cleared, on the thread that dropped the last strong `Arc`,
    /// with no lock of this library held. A callback that panics is reported
    /// through the [unraisable hook](crate::set_unraisable_hook) and the
    /// others still run. If every handle of the ref is dropped before `obj`
    /// dies, the callback never runs (it is dropped then).
    ///
    /// The callback runs on the thread that drops the last strong reference,
    /// maybe inside your own code with your locks held; and one that
    /// captures a strong `Arc` of `obj` keeps `obj` alive as long as this ref
    /// lives (see the crate docs, "Where callbacks run, and two traps").
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let log = Arc::new(Mutex::new(Vec::new()));
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let (l1, l2) = (log.clone(), log.clone());
    /// let _a = Ref::with_callback(&obj, move |_| l1.lock().unwrap().push("first"));
    /// let _b = Ref::with_callback(&obj, move |_| l2.lock().unwrap().push("second"));
    /// drop(obj);
    /// assert_eq!(*log.lock().unwrap(), ["second", "first"]);
    /// ```
    #[must_use]
    pub fn with_callback<P, C>(obj: &P, callback: C) -> Ref<T, F>
    where
        P: StrongRef<T, Family = F>,
        C: FnOnce(&Ref<T, F>) + 'static,
        F: Accepts<C>,
    {
        let callback = F::bind(callback);
        Self::register(
            obj.as_family(),
            Callback(move |node| {
                if let Some(callback) = F::unbind(callback) {
                    callback(&Ref::from_handle(node));
                }
            }),
        )
    }

    /// A weak reference whose `hook` runs at clearing time, when `obj` dies:
    /// on the dying thread, before any callback, never deferred (also when the
    /// death happens inside another callback), with no lock of this library
    /// held. For data structures that must account for a death at once, as
    /// the weak dictionaries do.
    ///
    /// Like a callback, the hook does not run if every handle of the ref was
    /// dropped first, and a panic in it is reported, not propagated. Keep it
    /// short: it runs in the middle of someone else's `drop`.
    ///
    /// ```
    /// # use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let dead = Arc::new(AtomicBool::new(false));
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let flag = dead.clone();
    /// let r = Ref::with_death_hook(&obj, move || flag.store(true, Ordering::SeqCst));
    /// drop(obj);
    /// assert!(dead.load(Ordering::SeqCst) && !r.is_alive());
    /// ```
    #[must_use]
    pub fn with_death_hook<P, H>(obj: &P, hook: H) -> Ref<T, F>
    where
        P: StrongRef<T, Family = F>,
        H: FnOnce() + Send + 'static,
    {
        Self::register(
            obj.as_family(),
            Hook(move |node| {
                drop(node);
                hook();
            }),
        )
    }

    /// The shared callback-less proxy's weak reference object (for
    /// `weakref-proxy`; not part of the public API).
    #[doc(hidden)]
    #[must_use]
    pub fn __shared_proxy(obj: &F::Strong<T>) -> Ref<T, F> {
        Self::shared(obj, Slot::Proxy)
    }

    /// A new weak reference object whose callback receives it by value (for
    /// `weakref-proxy`, which wraps it in the proxy given to the user's
    /// callback; not part of the public API).
    #[doc(hidden)]
    #[must_use]
    pub fn __with_owned_callback<C>(obj: &F::Strong<T>, callback: C) -> Ref<T, F>
    where
        C: FnOnce(Ref<T, F>) + Send + 'static,
    {
        Self::register(
            obj,
            Callback(move |node| {
                callback(Ref::from_handle(node));
            }),
        )
    }

    /// A new weak reference object of `obj` carrying `payload`, in the
    /// allocation a [`HookPool`](crate::pool::HookPool) kept, if any.
    pub(crate) fn register_reusing<P: Payload>(
        obj: &F::Strong<T>,
        payload: P,
        recycled: Option<core::ptr::NonNull<crate::node::Node>>,
    ) -> Ref<T, F> {
        let list = obj.weakref_header().attach();
        // SAFETY: `recycled` comes from the pool of `P`'s nodes, which hands
        // each kept allocation to exactly one caller (its one consumer).
        let node = unsafe { list.register_reusing(payload, recycled) };
        Self::from_parts(node, obj)
    }

    /// A new weak reference object of `obj` in `kept`, a node a pool kept
    /// with its `P` payload in place.
    ///
    /// # Safety
    /// As for `ListRef::register_kept`.
    pub(crate) unsafe fn register_kept<P: Payload>(
        obj: &F::Strong<T>,
        kept: core::ptr::NonNull<crate::node::Node>,
    ) -> Ref<T, F> {
        let list = obj.weakref_header().attach();
        // SAFETY: forwarded caller contract.
        let node = unsafe { list.register_kept::<P>(kept) };
        Self::from_parts(node, obj)
    }

    /// A new weak reference object of `obj` carrying `payload`.
    pub(crate) fn register<P: Payload>(obj: &F::Strong<T>, payload: P) -> Ref<T, F> {
        let node = obj.weakref_header().attach().register(payload);
        Self::from_parts(node, obj)
    }

    /// The weak reference object's handle.
    ///
    /// # Panics
    /// For `Ref::default()`, which has none (crate-internal callers never
    /// hold one).
    pub(crate) fn handle(&self) -> &Handle {
        self.node
            .as_ref()
            .expect("a ref with a weak reference object")
    }

    /// The weak reference object's handle, without the referent's `Weak`.
    fn into_handle(mut self) -> Handle {
        self.node
            .take()
            .expect("a ref with a weak reference object")
    }

    /// The ref handed to a callback: the claimed handle, no referent.
    fn from_handle(node: Handle) -> Ref<T, F> {
        Ref {
            node: Some(node),
            weak: None,
        }
    }

    /// Whether the referent's strong count is zero: it died (or its value
    /// left its `Arc`), even if its header has not cleared its weak
    /// references yet. The node asks this under its list's lock, when it
    /// decides, never earlier (see `node::Probe`).
    fn referent_dead(weak: Option<&F::Weak<T>>) -> bool {
        weak.is_some_and(|weak| F::strong_count(weak) == 0)
    }

    pub(crate) fn from_parts(node: Handle, obj: &F::Strong<T>) -> Ref<T, F> {
        Ref {
            node: Some(node),
            weak: Some(F::downgrade(obj)),
        }
    }

    /// Cancels this weak reference object's callback (or death hook) and
    /// drops this handle. Returns `true` if the callback was cancelled before
    /// the referent's death claimed it: it will never run. Returns `false`
    /// if the death came first (the callback has run, is running, or is
    /// queued to run), if it was already cancelled, or if the ref has no
    /// callback. Other handles of the object stay valid weak references.
    ///
    /// Python has no such method on `ref`; it is `weakref.finalize.detach`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let r = Ref::with_callback(&obj, |_| unreachable!("cancelled"));
    /// let keep = r.clone();
    /// assert!(r.cancel());
    /// drop(obj); // no callback
    /// assert!(!keep.is_alive());
    /// assert!(!keep.cancel());
    /// ```
    pub fn cancel(mut self) -> bool {
        let Some(node) = self.node.take() else {
            return false;
        };
        // `self.weak` is dropped after the node's decision (it keeps the
        // old allocation, and so the probe's answer, meaningful until then).
        let weak = self.weak.as_ref();
        node.cancel(&|| Self::referent_dead(weak))
    }

    /// [`cancel`](Ref::cancel), giving back the node's allocation when this
    /// was its last handle (see `Handle::cancel_reclaiming`): a pool reuses
    /// it.
    pub(crate) fn cancel_reclaiming(
        mut self,
    ) -> (bool, Option<core::ptr::NonNull<crate::node::Node>>) {
        let Some(node) = self.node.take() else {
            return (false, None);
        };
        // As in `cancel`: `self.weak` outlives the decision.
        let weak = self.weak.as_ref();
        node.cancel_reclaiming(&|| Self::referent_dead(weak))
    }

    /// The same weak reference object, seen as a ref to `U`: typically a
    /// trait object the referent implements (`std`'s `Weak` coerces with
    /// `as`; a `Ref` cannot on stable Rust, so it takes the coercion as a
    /// closure). Counted once by `getweakrefcount`, [`ptr_eq`](Ref::ptr_eq)
    /// with the original (through a second coercion), and its callback, if
    /// any, still runs once, given a `Ref<T>` (the type it was made with).
    ///
    /// A bare `|w| w` infers `U = T`. A ref with no referent (the one handed
    /// to a callback, or `Ref::default()`) coerces without calling `f`.
    ///
    /// # Panics
    /// If `f` returns a `Weak` to another object than the one it was given.
    ///
    /// ```
    /// use std::sync::{Arc, Weak};
    /// use weakref_core::{getweakrefcount, Header, Ref, Referent};
    ///
    /// trait Observer: Referent { fn notify(&self) -> &'static str; }
    ///
    /// #[derive(Referent)]
    /// struct Logger { header: Header }
    /// impl Observer for Logger { fn notify(&self) -> &'static str { "logged" } }
    ///
    /// let logger = Arc::new(Logger { header: Header::new() });
    /// let r: Ref<dyn Observer> = Ref::new(&logger).coerce(|w| w as Weak<dyn Observer>);
    /// assert_eq!(r.get().unwrap().notify(), "logged");
    /// assert!(Ref::ptr_eq(&r, &Ref::new(&(logger.clone() as Arc<dyn Observer>))));
    /// assert_eq!(getweakrefcount(&logger), 1);
    /// ```
    #[must_use]
    pub fn coerce<U>(mut self, f: impl FnOnce(F::Weak<T>) -> F::Weak<U>) -> Ref<U, F>
    where
        U: ?Sized + Referent,
    {
        let weak = match &self.weak {
            Some(weak) => {
                let coerced = f(weak.clone());
                // `self` is intact until here, so a panic drops it as usual.
                assert!(
                    core::ptr::eq(F::weak_addr(weak), F::weak_addr(&coerced)),
                    "Ref::coerce: the closure must return a `Weak` to the same object \
                     (for example `|w| w as Weak<dyn Trait>`)"
                );
                Some(coerced)
            }
            None => None,
        };
        Ref {
            node: self.node.take(),
            weak,
        }
    }

    /// A future that resolves once the referent has died (its weak
    /// references cleared), at once if it already has: see [`Dead`].
    ///
    /// Registers a death hook on the object (one small allocation), which
    /// dropping the future unregisters; a ref that is never awaited pays
    /// nothing for this.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::task::{Context, Waker};
    /// use weakref_core::{Header, Ref, Referent};
    ///
    /// #[derive(Referent)]
    /// struct Owner { header: Header }
    ///
    /// let owner = Arc::new(Owner { header: Header::new() });
    /// let r = Ref::new(&owner);
    /// let mut gone = r.dead();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(std::pin::Pin::new(&mut gone).poll(&mut cx).is_pending());
    /// drop(owner);
    /// assert!(std::pin::Pin::new(&mut gone).poll(&mut cx).is_ready());
    /// # use std::future::Future;
    /// ```
    #[must_use = "a future does nothing unless awaited or polled"]
    pub fn dead(&self) -> Dead {
        let Some(obj) = self.get() else {
            return Dead::resolved();
        };
        let (hook, pending) = crate::dead::Hook::new();
        let node = Self::register(&obj, hook).into_handle();
        let dead = pending.registered(node);
        // Possibly the last strong reference: the object may die here, which
        // runs the hook at once and resolves the future.
        drop(obj);
        dead
    }

    /// Python's `r()`: the referent, if it is still alive.
    ///
    /// The returned `Arc` is a strong reference: if it turns out to be the
    /// last one, dropping it kills the object and runs its callbacks there.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let r = Ref::new(&obj);
    /// assert!(Arc::ptr_eq(&r.get().unwrap(), &obj));
    /// drop(obj);
    /// assert!(r.get().is_none());
    /// ```
    #[must_use]
    #[inline]
    pub fn get(&self) -> Option<F::Strong<T>> {
        F::upgrade(self.weak.as_ref()?)
    }

    /// Whether the referent is still alive (no strong reference is taken).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let r = Ref::new(&obj);
    /// assert!(r.is_alive());
    /// drop(obj);
    /// assert!(!r.is_alive());
    /// ```
    #[must_use]
    #[inline]
    pub fn is_alive(&self) -> bool {
        self.weak
            .as_ref()
            .is_some_and(|weak| F::strong_count(weak) > 0)
    }

    /// Python's `is`: whether two handles are the same weak reference object.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let a = Ref::with_callback(&obj, |_| ());
    /// assert!(Ref::ptr_eq(&a, &a.clone()));
    /// assert!(!Ref::ptr_eq(&a, &Ref::new(&obj)));
    /// ```
    #[must_use]
    #[inline]
    pub fn ptr_eq(this: &Ref<T, F>, other: &Ref<T, F>) -> bool {
        this.node_ptr() == other.node_ptr()
    }

    /// The weak reference object's address; null for `Ref::default()`.
    fn node_ptr(&self) -> *const () {
        self.node.as_ref().map_or(core::ptr::null(), |node| {
            node.ptr().as_ptr().cast_const().cast()
        })
    }

    /// The address of the referent this ref was made for, as `Weak::as_ptr`
    /// (thin, so refs to different views of one object agree), whether or not
    /// it is alive; null for the ref handed to a callback and for
    /// `Ref::default()`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// assert_eq!(Ref::as_ptr(&Ref::new(&obj)), Arc::as_ptr(&obj).cast());
    /// ```
    #[must_use]
    pub fn as_ptr(this: &Ref<T, F>) -> *const () {
        this.weak.as_ref().map_or(core::ptr::null(), F::weak_addr)
    }

    /// The address of the weak reference object (for `Debug` output of
    /// wrappers such as proxies; not part of the public API).
    #[doc(hidden)]
    #[must_use]
    pub fn __object_ptr(this: &Ref<T, F>) -> *const () {
        this.node_ptr()
    }

    /// Python's `hash(r)`: the referent's hash by
    /// `std::hash::DefaultHasher::new()`, computed on first use and cached in
    /// the weak reference object, so it survives the referent. Fails if the
    /// first use comes after the referent died.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Ref, ReferenceError, Referent};
    /// #[derive(Referent, Hash)]
    /// struct Key { id: u32, header: Header }
    ///
    /// let k = Arc::new(Key { id: 7, header: Header::new() });
    /// let hashed = Ref::new(&k);
    /// let h = hashed.try_hash().unwrap();
    /// let unhashed = Ref::with_callback(&k, |_| ());
    /// drop(k);
    /// assert_eq!(hashed.try_hash(), Ok(h));
    /// assert_eq!(unhashed.try_hash(), Err(ReferenceError));
    /// ```
    pub fn try_hash(&self) -> Result<u64, ReferenceError>
    where
        T: Hash,
    {
        let Some(node) = &self.node else {
            return Err(ReferenceError);
        };
        let cache = &node.node().hash;
        if let Some(hash) = cache.get() {
            return Ok(hash);
        }
        let referent = self.get().ok_or(ReferenceError)?;
        let mut hasher = DefaultHasher::new();
        referent.hash(&mut hasher);
        Ok(cache.set(hasher.finish()))
    }
}

impl<T: ?Sized + Referent, F: Family> Clone for Ref<T, F> {
    /// Another handle to the same weak reference object.
    fn clone(&self) -> Self {
        Ref {
            node: self.node.clone(),
            weak: self.weak.clone(),
        }
    }
}

/// `std`'s `Weak::new()`: a ref that never had a referent. `get()` is `None`,
/// it is no weak reference object of any object (nothing is counted or
/// allocated), all default refs are [`ptr_eq`](Ref::ptr_eq) to each other,
/// and hashing one fails.
///
/// ```
/// # use weakref_core::{Header, Ref, Referent};
/// #[derive(Referent)]
/// struct TreeNode { header: Header }
///
/// let parent: Ref<TreeNode> = Ref::default(); // a root has no parent
/// assert!(parent.get().is_none() && !parent.is_alive());
/// assert!(Ref::ptr_eq(&parent, &Ref::default()));
/// ```
impl<T: ?Sized + Referent, F: Family> Default for Ref<T, F> {
    fn default() -> Self {
        Ref {
            node: None,
            weak: None,
        }
    }
}

/// Gives up this handle. If it is the last handle of a ref with a callback
/// whose referent already died but was not cleared yet (another thread, or
/// the referent's own fields, are still dropping it), the callback still
/// runs: the callbacks to run are fixed when the referent dies.
impl<T: ?Sized, F: Family> Drop for Ref<T, F> {
    fn drop(&mut self) {
        let Some(node) = self.node.take() else {
            return;
        };
        // `self.weak` is dropped after this (fields drop after `Drop::drop`).
        let weak = &self.weak;
        node.release(&|| weak.as_ref().is_some_and(|weak| F::strong_count(weak) == 0));
    }
}

/// Both alive: the referents' equality; otherwise the same weak reference
/// object or not.
impl<T: ?Sized + Referent + PartialEq, F: Family> PartialEq for Ref<T, F> {
    fn eq(&self, other: &Ref<T, F>) -> bool {
        if let (Some(a), Some(b)) = (self.get(), other.get()) {
            return *a == *b;
        }
        Ref::ptr_eq(self, other)
    }
}

impl<T: ?Sized + Referent + Eq, F: Family> Eq for Ref<T, F> {}

/// Writes one `u64`, [`Ref::try_hash`].
///
/// # Panics
/// If the ref is hashed for the first time after its referent died.
impl<T: ?Sized + Referent + Hash, F: Family> Hash for Ref<T, F> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.try_hash() {
            Ok(hash) => state.write_u64(hash),
            Err(_) => panic!("cannot hash a weak reference whose referent is gone: {self:?}"),
        }
    }
}

/// `<weakref at 0x..; to 'Type' at 0x..>`, or `<weakref at 0x..; dead>`.
impl<T: ?Sized + Referent, F: Family> fmt::Debug for Ref<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = self.node_ptr();
        if self.is_alive() {
            write!(
                f,
                "<weakref at {node:p}; to '{}' at {:p}>",
                core::any::type_name::<T>(),
                Ref::as_ptr(self)
            )
        } else {
            write!(f, "<weakref at {node:p}; dead>")
        }
    }
}
