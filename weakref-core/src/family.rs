//! Pointer families: the two ways an object is shared, `Arc` and `Rc`.
//!
//! One weak-reference protocol serves both: a [`Header`](crate::Header) and
//! its list of weak reference objects do not care whether the object lives
//! in an `Arc` or an `Rc` (one type can live in either, in different places).
//! What differs is only how a weak reference reaches its object — a
//! `sync::Weak` or an `rc::Weak` — and whether callbacks must be `Send`. The
//! generic types (`Ref<T, F>`, the proxies, the dictionaries) take the family
//! as a parameter defaulting to [`ArcFamily`]; the `rc` modules name the
//! [`RcFamily`] instances (`weakref::rc::Ref<T>` is `Ref<T, RcFamily>`).
//!
//! Constructors take the strong pointer through [`StrongRef`], which names
//! its family, so `Ref::new(&arc)` and `Ref::new(&rc)` both infer it.

use core::cell::Cell;
use core::mem::ManuallyDrop;
use core::ops::Deref;
use std::rc::Rc;

use crate::sync::{Arc, Weak};

mod sealed {
    pub trait Sealed {}
}

/// How weakly referenced objects are shared: [`ArcFamily`] (`std::sync::Arc`,
/// any thread) or [`RcFamily`] (`std::rc::Rc`, one thread).
///
/// Sealed; its items are for this workspace's generic code. Users meet the
/// family only as the last type parameter of `Ref`, the proxies and the
/// dictionaries, which defaults to [`ArcFamily`].
pub trait Family: sealed::Sealed + Sized + 'static {
    /// The strong pointer: `Arc<T>` or `Rc<T>` (a [`StrongRef`] of this
    /// family, so generic code can make weak references from what `get`
    /// returns).
    type Strong<T: ?Sized>: Deref<Target = T> + Clone + StrongRef<T, Family = Self>;
    /// The weak pointer: `sync::Weak<T>` or `rc::Weak<T>`.
    type Weak<T: ?Sized>: Clone;

    /// `Arc::downgrade` / `Rc::downgrade`.
    #[doc(hidden)]
    fn downgrade<T: ?Sized>(strong: &Self::Strong<T>) -> Self::Weak<T>;
    /// `Weak::upgrade`.
    #[doc(hidden)]
    fn upgrade<T: ?Sized>(weak: &Self::Weak<T>) -> Option<Self::Strong<T>>;
    /// `Weak::strong_count`.
    #[doc(hidden)]
    fn strong_count<T: ?Sized>(weak: &Self::Weak<T>) -> usize;
    /// `Weak::as_ptr`, without its metadata.
    #[doc(hidden)]
    fn weak_addr<T: ?Sized>(weak: &Self::Weak<T>) -> *const ();
    /// `Arc::as_ptr` / `Rc::as_ptr`, without its metadata.
    #[doc(hidden)]
    fn strong_addr<T: ?Sized>(strong: &Self::Strong<T>) -> *const ();
}

/// The family of `std::sync::Arc`: objects shared between threads. Weak
/// references are `Send`/`Sync` when the object is, and callbacks must be
/// `Send` (they run on whichever thread drops the last `Arc`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ArcFamily;

/// The family of `std::rc::Rc`: objects of one thread. Weak references are
/// neither `Send` nor `Sync`, and callbacks need not be `Send`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RcFamily;

impl sealed::Sealed for ArcFamily {}
impl sealed::Sealed for RcFamily {}

impl Family for ArcFamily {
    type Strong<T: ?Sized> = Arc<T>;
    type Weak<T: ?Sized> = Weak<T>;

    #[inline]
    fn downgrade<T: ?Sized>(strong: &Arc<T>) -> Weak<T> {
        Arc::downgrade(strong)
    }
    #[inline]
    fn upgrade<T: ?Sized>(weak: &Weak<T>) -> Option<Arc<T>> {
        weak.upgrade()
    }
    #[inline]
    fn strong_count<T: ?Sized>(weak: &Weak<T>) -> usize {
        weak.strong_count()
    }
    #[inline]
    fn weak_addr<T: ?Sized>(weak: &Weak<T>) -> *const () {
        weak.as_ptr().cast()
    }
    #[inline]
    fn strong_addr<T: ?Sized>(strong: &Arc<T>) -> *const () {
        Arc::as_ptr(strong).cast()
    }
}

impl Family for RcFamily {
    type Strong<T: ?Sized> = Rc<T>;
    type Weak<T: ?Sized> = std::rc::Weak<T>;

    #[inline]
    fn downgrade<T: ?Sized>(strong: &Rc<T>) -> std::rc::Weak<T> {
        Rc::downgrade(strong)
    }
    #[inline]
    fn upgrade<T: ?Sized>(weak: &std::rc::Weak<T>) -> Option<Rc<T>> {
        weak.upgrade()
    }
    #[inline]
    fn strong_count<T: ?Sized>(weak: &std::rc::Weak<T>) -> usize {
        weak.strong_count()
    }
    #[inline]
    fn weak_addr<T: ?Sized>(weak: &std::rc::Weak<T>) -> *const () {
        weak.as_ptr().cast()
    }
    #[inline]
    fn strong_addr<T: ?Sized>(strong: &Rc<T>) -> *const () {
        Rc::as_ptr(strong).cast()
    }
}

/// A strong pointer to a weakly referenceable object: `Arc<T>` or `Rc<T>`.
///
/// Constructors (`Ref::new`, `Ref::with_callback`, the proxies', the
/// dictionaries' `insert`) take `&P` where `P: StrongRef<T>`, so the family
/// is inferred from the pointer you pass.
///
/// ```
/// use std::{rc::Rc, sync::Arc};
/// use weakref_core::{Header, Ref, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let shared = Arc::new(Obj { header: Header::new() });
/// let local = Rc::new(Obj { header: Header::new() });
/// let a: Ref<Obj> = Ref::new(&shared); // the Arc flavour
/// let b: weakref_core::rc::Ref<Obj> = Ref::new(&local); // the Rc flavour
/// assert!(a.is_alive() && b.is_alive());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an `Arc` or an `Rc` of a weakly referenceable object",
    label = "expected `&Arc<_>` or `&Rc<_>`",
    note = "weak references are made from a strong pointer: `Ref::new(&arc)` for `std::sync::Arc`, `weakref::rc::Ref::new(&rc)` for `std::rc::Rc`"
)]
pub trait StrongRef<T: ?Sized>: sealed::Sealed + Deref<Target = T> {
    /// The pointer's family.
    type Family: Family;

    /// This pointer, as its family's strong pointer type (the same value).
    #[doc(hidden)]
    fn as_family(&self) -> &<Self::Family as Family>::Strong<T>;
}

impl<T: ?Sized> sealed::Sealed for Arc<T> {}
impl<T: ?Sized> sealed::Sealed for Rc<T> {}

impl<T: ?Sized> StrongRef<T> for Arc<T> {
    type Family = ArcFamily;

    #[inline]
    fn as_family(&self) -> &Arc<T> {
        self
    }
}

impl<T: ?Sized> StrongRef<T> for Rc<T> {
    type Family = RcFamily;

    #[inline]
    fn as_family(&self) -> &Rc<T> {
        self
    }
}

/// A family whose callbacks may be `C`: any `Send + 'static` closure for
/// [`ArcFamily`] (it may run on any thread), any `'static` closure for
/// [`RcFamily`] (it runs on the object's thread).
///
/// Sealed; the items are for this workspace's generic code.
#[diagnostic::on_unimplemented(
    message = "this callback is not `Send`, and callbacks of `Arc` objects must be",
    label = "captures something that cannot be sent between threads (an `Rc`, a `RefCell` borrow, a raw pointer...)",
    note = "callbacks of `Arc` objects run on whichever thread drops the last `Arc`, so they must be `Send`",
    note = "for single-threaded programs, use the `Rc` flavour: `weakref::rc` (`rc::Ref::with_callback(&rc, ..)`), whose callbacks need not be `Send`"
)]
pub trait Accepts<C>: Family {
    /// `C`, made `Send` for the thread-safe weak reference object.
    #[doc(hidden)]
    type Bound: Send + 'static;
    /// Wraps a callback.
    #[doc(hidden)]
    fn bind(callback: C) -> Self::Bound;
    /// Unwraps it to run it: `None` if this is not the thread it belongs to
    /// (it is then leaked, never run or dropped there).
    #[doc(hidden)]
    fn unbind(bound: Self::Bound) -> Option<C>;
}

// Not recommended: the error then shows `Accepts`' own message, which says
// what to do (make the callback `Send`, or use `weakref::rc`), rather than
// rustc's bare "cannot be sent between threads safely".
#[diagnostic::do_not_recommend]
impl<C: Send + 'static> Accepts<C> for ArcFamily {
    type Bound = C;

    #[inline]
    fn bind(callback: C) -> C {
        callback
    }
    #[inline]
    fn unbind(bound: C) -> Option<C> {
        Some(bound)
    }
}

impl<C: 'static> Accepts<C> for RcFamily {
    type Bound = ThreadBound<C>;

    #[inline]
    fn bind(callback: C) -> ThreadBound<C> {
        ThreadBound::new(callback)
    }
    #[inline]
    fn unbind(bound: ThreadBound<C>) -> Option<C> {
        bound.into_inner()
    }
}

/// A value that may only be used (run, dropped) on the thread that made it:
/// `Send` in name only, checked at run time.
///
/// The weak reference objects are shared between threads, so what they
/// carry must be `Send`. An `Rc` object's callbacks are not, and need not be:
/// every `rc` handle lives on the object's thread, and the object dies there.
/// Only one path leaves it: a value moved out of its `Rc`
/// (`Rc::try_unwrap`), sent to another thread (its type may be `Send`) and
/// dropped or weakly referenced there runs its old weak references' payloads
/// on that thread. There this wrapper neither runs nor drops the callback:
/// it leaks it, which is safe (a documented cost of a rare misuse).
#[doc(hidden)]
pub struct ThreadBound<C> {
    value: ManuallyDrop<C>,
    thread: u64,
}

// SAFETY: the value is only ever touched (run or dropped) on the thread that
// made it: `into_inner` and `drop` check the current thread and leak the
// value anywhere else. Moving the wrapper itself between threads moves only
// the bytes, which is what `Send` permits.
unsafe impl<C> Send for ThreadBound<C> {}

impl<C> core::fmt::Debug for ThreadBound<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ThreadBound")
            .field("thread", &self.thread)
            .finish_non_exhaustive()
    }
}

impl<C> ThreadBound<C> {
    fn new(value: C) -> Self {
        ThreadBound {
            value: ManuallyDrop::new(value),
            thread: current_thread(),
        }
    }

    fn into_inner(self) -> Option<C> {
        let mut this = ManuallyDrop::new(self);
        if this.thread != current_thread() {
            return None;
        }
        // SAFETY: on the value's own thread; `this` is never dropped, so the
        // value is taken exactly once.
        Some(unsafe { ManuallyDrop::take(&mut this.value) })
    }
}

impl<C> Drop for ThreadBound<C> {
    fn drop(&mut self) {
        if self.thread == current_thread() {
            // SAFETY: on the value's own thread, in `drop`: dropped once.
            unsafe { ManuallyDrop::drop(&mut self.value) };
        }
    }
}

/// A number for the current thread, never reused (unlike a thread-local's
/// address) and usable during thread-local destruction (no destructor).
fn current_thread() -> u64 {
    // std's atomic even under loom: a process-wide counter of threads is not
    // part of any modelled race, and only its uniqueness matters.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    std::thread_local! {
        static THIS: Cell<u64> = const { Cell::new(0) };
    }
    THIS.with(|this| {
        if this.get() == 0 {
            // Relaxed: only uniqueness matters.
            this.set(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        }
        this.get()
    })
}
