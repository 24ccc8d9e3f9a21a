//! `Ref<T>`: Python's `weakref.ref`, the weak reference type.

use core::fmt;
use core::hash::{Hash, Hasher};
use core::mem::ManuallyDrop;
use std::hash::DefaultHasher;

use crate::error::ReferenceError;
use crate::header::Referent;
use crate::node::{Callback, Handle, Hook, Payload, Slot};
use crate::sync::{Arc, Weak};

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
pub struct Ref<T: ?Sized> {
    /// The weak reference object. Taken out exactly once, by `drop` or
    /// `cancel`, which pass on whether the referent was seen dead.
    node: ManuallyDrop<Handle>,
    /// How this handle reaches the referent; `None` in the ref handed to a
    /// callback (its referent is already gone).
    weak: Option<Weak<T>>,
}

/// Python's name for the weak reference type.
pub type ReferenceType<T> = Ref<T>;

impl<T: ?Sized + Referent> Ref<T> {
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
    pub fn new(obj: &Arc<T>) -> Ref<T> {
        let node = obj.weakref_header().attach().shared(Slot::Ref);
        Ref {
            node: ManuallyDrop::new(node),
            weak: Some(Arc::downgrade(obj)),
        }
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
    pub fn with_callback<F>(obj: &Arc<T>, callback: F) -> Ref<T>
    where
        F: FnOnce(&Ref<T>) + Send + 'static,
    {
        Self::register(
            obj,
            Callback(move |node| {
                callback(&Ref::from_handle(node));
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
    pub fn with_death_hook<F>(obj: &Arc<T>, hook: F) -> Ref<T>
    where
        F: FnOnce() + Send + 'static,
    {
        Self::register(
            obj,
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
    pub fn __shared_proxy(obj: &Arc<T>) -> Ref<T> {
        let node = obj.weakref_header().attach().shared(Slot::Proxy);
        Ref {
            node: ManuallyDrop::new(node),
            weak: Some(Arc::downgrade(obj)),
        }
    }

    /// A new weak reference object whose callback receives it by value (for
    /// `weakref-proxy`, which wraps it in the proxy given to the user's
    /// callback; not part of the public API).
    #[doc(hidden)]
    #[must_use]
    pub fn __with_owned_callback<F>(obj: &Arc<T>, callback: F) -> Ref<T>
    where
        F: FnOnce(Ref<T>) + Send + 'static,
    {
        Self::register(
            obj,
            Callback(move |node| {
                callback(Ref::from_handle(node));
            }),
        )
    }

    fn register<P: Payload>(obj: &Arc<T>, payload: P) -> Ref<T> {
        let node = obj.weakref_header().attach().register(payload);
        Ref {
            node: ManuallyDrop::new(node),
            weak: Some(Arc::downgrade(obj)),
        }
    }

    /// The ref handed to a callback: the claimed handle, no referent.
    fn from_handle(node: Handle) -> Ref<T> {
        Ref {
            node: ManuallyDrop::new(node),
            weak: None,
        }
    }

    /// Whether the referent's strong count is zero: it died (or its value
    /// left its `Arc`), even if its header has not cleared its weak
    /// references yet. The node asks this under its list's lock, when it
    /// decides, never earlier (see `node::Probe`).
    fn referent_dead(weak: &Option<Weak<T>>) -> bool {
        weak.as_ref().is_some_and(|weak| weak.strong_count() == 0)
    }

    pub(crate) fn from_parts(node: Handle, obj: &Arc<T>) -> Ref<T> {
        Ref {
            node: ManuallyDrop::new(node),
            weak: Some(Arc::downgrade(obj)),
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
    pub fn cancel(self) -> bool {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped (it is `ManuallyDrop`), so its
        // handle is taken out exactly once, here.
        let node = unsafe { ManuallyDrop::take(&mut this.node) };
        let weak = this.weak.take();
        // `weak` is dropped after the node's decision (it keeps the old
        // allocation, and so the probe's answer, meaningful until then).
        node.cancel(&|| Self::referent_dead(&weak))
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
    pub fn get(&self) -> Option<Arc<T>> {
        self.weak.as_ref()?.upgrade()
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
            .is_some_and(|weak| weak.strong_count() > 0)
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
    pub fn ptr_eq(this: &Ref<T>, other: &Ref<T>) -> bool {
        this.node.ptr() == other.node.ptr()
    }

    /// The address of the referent this ref was made for, as `Weak::as_ptr`
    /// (thin, so refs to different views of one object agree), whether or not
    /// it is alive; null for the ref handed to a callback.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// assert_eq!(Ref::as_ptr(&Ref::new(&obj)), Arc::as_ptr(&obj).cast());
    /// ```
    #[must_use]
    pub fn as_ptr(this: &Ref<T>) -> *const () {
        this.weak
            .as_ref()
            .map_or(core::ptr::null(), |weak| weak.as_ptr().cast())
    }

    /// The address of the weak reference object (for `Debug` output of
    /// wrappers such as proxies; not part of the public API).
    #[doc(hidden)]
    #[must_use]
    pub fn __object_ptr(this: &Ref<T>) -> *const () {
        this.node.ptr().as_ptr().cast_const().cast()
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
        let cache = &self.node.node().hash;
        if let Some(hash) = cache.get() {
            return Ok(hash);
        }
        let referent = self.get().ok_or(ReferenceError)?;
        let mut hasher = DefaultHasher::new();
        referent.hash(&mut hasher);
        Ok(cache.set(hasher.finish()))
    }
}

impl<T: ?Sized + Referent> Clone for Ref<T> {
    /// Another handle to the same weak reference object.
    fn clone(&self) -> Self {
        Ref {
            node: ManuallyDrop::new(Handle::clone(&self.node)),
            weak: self.weak.clone(),
        }
    }
}

/// Gives up this handle. If it is the last handle of a ref with a callback
/// whose referent already died but was not cleared yet (another thread, or
/// the referent's own fields, are still dropping it), the callback still
/// runs: the callbacks to run are fixed when the referent dies.
impl<T: ?Sized> Drop for Ref<T> {
    fn drop(&mut self) {
        // SAFETY: `drop` runs once and nothing uses `self.node` afterwards.
        let node = unsafe { ManuallyDrop::take(&mut self.node) };
        // `self.weak` is dropped after this (fields drop after `Drop::drop`).
        let weak = &self.weak;
        node.release(&|| weak.as_ref().is_some_and(|weak| weak.strong_count() == 0));
    }
}

/// Both alive: the referents' equality; otherwise the same weak reference
/// object or not.
impl<T: ?Sized + Referent + PartialEq> PartialEq for Ref<T> {
    fn eq(&self, other: &Ref<T>) -> bool {
        if let (Some(a), Some(b)) = (self.get(), other.get()) {
            return *a == *b;
        }
        Ref::ptr_eq(self, other)
    }
}

impl<T: ?Sized + Referent + Eq> Eq for Ref<T> {}

/// Writes one `u64`, [`Ref::try_hash`].
///
/// # Panics
/// If the ref is hashed for the first time after its referent died.
impl<T: ?Sized + Referent + Hash> Hash for Ref<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.try_hash() {
            Ok(hash) => state.write_u64(hash),
            Err(_) => panic!("cannot hash a weak reference whose referent is gone: {self:?}"),
        }
    }
}

/// `<weakref at 0x..; to 'Type' at 0x..>`, or `<weakref at 0x..; dead>`.
impl<T: ?Sized + Referent> fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = self.node.ptr();
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
