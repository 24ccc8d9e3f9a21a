//! `finalize`: Python 3's `weakref.finalize`, a function run once when an
//! object dies, whether or not anyone keeps the finalizer.
//!
//! A finalizer is a weak reference object of its referent with a payload
//! (the function), like a callback ref. What keeps it armed when every
//! [`Finalize`] handle is gone is the process-wide registry of live
//! finalizers (Python's `finalize._registry`): it holds one handle of each,
//! so the node stays registered on its object until the object's death
//! claims it (and runs the function), or `call`/`detach` do. Running the
//! function removes the registry's entry. The registry is also what runs the
//! remaining finalizers at normal process exit, newest first (an `atexit`
//! handler of the C runtime, registered with the first finalizer).

use core::fmt;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc as StdArc, Mutex, MutexGuard, Once, PoisonError};

use crate::callback::fire_reporting;
use crate::family::{Accepts, ArcFamily, Family, RcFamily};
use crate::header::Referent;
use crate::node::{Handle, Payload};
use crate::reference::Ref;
use crate::sync::Arc;

/// What a finalizer's handles and the registry share.
#[derive(Debug)]
struct State {
    /// Creation order: the registry's key, and the exit-time order.
    seq: u64,
    /// Run at process exit if still alive ([`Finalize::atexit`]).
    atexit: AtomicBool,
}

/// The payload of a finalizer's node: the boxed function as its family
/// carries it (`Box<dyn FnOnce() + Send>`, or for `Rc` objects a
/// `Box<dyn FnOnce()>` bound to its thread), one type per family so that
/// `detach` can take it back out ([`Claimed::take_payload`]).
///
/// [`Claimed::take_payload`]: crate::node::Claimed::take_payload
struct Finalizer<B> {
    func: B,
    state: StdArc<State>,
    call: fn(B),
}

/// The Arc family's function.
type SendFn = Box<dyn FnOnce() + Send>;
/// The Rc family's function, bound to its thread.
type LocalFn = <RcFamily as Accepts<Box<dyn FnOnce()>>>::Bound;

impl<B: Send + 'static> Payload for Finalizer<B> {
    const KIND: crate::node::Kind = crate::node::Kind::Callback;

    fn run(self, handle: Handle) {
        // Out of the registry first: a panicking function must not leave a
        // dead finalizer registered.
        drop(unregister(self.state.seq));
        drop(handle);
        (self.call)(self.func);
    }
}

/// A registered finalizer: the handle that keeps its node armed.
#[derive(Debug)]
struct Entry {
    handle: Handle,
    state: StdArc<State>,
}

/// Python's `finalize._registry`: every live finalizer, by creation order.
fn registry() -> MutexGuard<'static, BTreeMap<u64, Entry>> {
    static REGISTRY: Mutex<BTreeMap<u64, Entry>> = Mutex::new(BTreeMap::new());
    // No user code runs under this lock (entries are dropped after it).
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes finalizer `seq` from the registry; the entry is returned so its
/// handle is dropped after the lock.
fn unregister(seq: u64) -> Option<Entry> {
    registry().remove(&seq)
}

fn next_seq() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    // Relaxed: only uniqueness and order of creation on one thread matter.
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Registers the exit handler once.
fn ensure_exit_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Miri cannot call the C runtime's `atexit`; finalizers then simply
        // do not run at exit under Miri.
        #[cfg(not(miri))]
        {
            // SAFETY: `atexit` is the C standard library's; `run_at_exit` is
            // an `extern "C" fn()` that never unwinds (it catches every
            // panic), as a handler must not. A failure to register (non-zero)
            // only means finalizers do not run at exit, which is documented.
            let _ = unsafe { atexit(run_at_exit) };
        }
    });
}

#[cfg(not(miri))]
unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> core::ffi::c_int;
}

/// The exit handler: runs the live finalizers whose `atexit` flag is set,
/// newest first, until none is left (running one may create others).
#[cfg(not(miri))]
extern "C" fn run_at_exit() {
    let _ = std::panic::catch_unwind(run_remaining);
}

/// Runs the registered finalizers whose `atexit` flag is set, newest first,
/// one at a time: a finalizer registered meanwhile (by one running at exit)
/// is the newest, so it runs next (Python's `finalize._exitfunc`). Those with
/// the flag off are left alone.
#[cfg_attr(miri, allow(dead_code))]
fn run_remaining() {
    loop {
        let next = {
            let mut registry = registry();
            let newest = registry
                .iter()
                .rev()
                .find(|(_, entry)| entry.state.atexit.load(Ordering::Relaxed))
                .map(|(&seq, _)| seq);
            newest.and_then(|seq| registry.remove(&seq))
        };
        let Some(entry) = next else { return };
        if let Some(claimed) = entry.handle.claim() {
            fire_reporting(claimed, "weakref finalizer at exit");
        }
    }
}

/// Python 3's `weakref.finalize(obj, func)`: `func` runs exactly once, when
/// `obj` dies — whether or not anyone keeps the returned [`Finalize`] (the
/// difference from [`Ref::with_callback`], whose callback is dropped with
/// its last handle) — unless [`call`](Finalize::call) or
/// [`detach`](Finalize::detach) came first.
///
/// Finalizers run like callbacks: after every weak reference to the object
/// was cleared, newest first among the object's callbacks and finalizers, on
/// the thread that dropped the last `Arc`, with panics reported through the
/// [unraisable hook](crate::set_unraisable_hook). A finalizer still alive at
/// normal process exit — `main` returns, `std::process::exit`, or a panic
/// unwinds out of `main` — runs then, newest first, unless its
/// [`atexit`](Finalize::atexit) flag is off. On `std::process::abort`, a
/// fatal signal, or with `panic = "abort"`, nothing runs.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use weakref_core::{finalize, Header, Referent};
///
/// #[derive(Referent)]
/// struct TempDir { path: String, header: Header }
///
/// let removed = Arc::new(Mutex::new(Vec::new()));
/// let dir = Arc::new(TempDir { path: "/tmp/x".into(), header: Header::new() });
/// let log = removed.clone();
/// let path = dir.path.clone();
/// finalize(&dir, move || log.lock().unwrap().push(path)); // handle dropped at once
/// drop(dir);
/// assert_eq!(*removed.lock().unwrap(), ["/tmp/x"]);
/// ```
pub fn finalize<T, F>(obj: &Arc<T>, func: F) -> Finalize<T>
where
    T: ?Sized + Referent,
    F: FnOnce() + Send + 'static,
{
    Finalize::register(obj, Box::new(func) as SendFn, |func| func())
}

/// `finalize` for an `Rc` object (`weakref::rc::finalize`): the function
/// need not be `Send`. It runs on the object's thread; at process exit, only
/// the finalizers of the thread calling `exit` (normally the main thread)
/// can run, the others are leaked (`ThreadBound`: never run or dropped on
/// another thread).
pub(crate) fn finalize_rc<T, F>(obj: &std::rc::Rc<T>, func: F) -> Finalize<T, RcFamily>
where
    T: ?Sized + Referent,
    F: FnOnce() + 'static,
{
    let bound: LocalFn = RcFamily::bind(Box::new(func) as Box<dyn FnOnce()>);
    Finalize::register(obj, bound, |bound| {
        if let Some(func) = RcFamily::unbind(bound) {
            func();
        }
    })
}

/// A finalizer of an object (Python's `weakref.finalize` object), made by
/// [`finalize`]. Clones are handles to the same finalizer; the finalizer
/// does not need them to run.
///
/// The second type parameter is the pointer family (see [`Ref`]);
/// `weakref::rc::Finalize<T>` is the `Rc` flavour.
pub struct Finalize<T: ?Sized, F: Family = ArcFamily> {
    /// A handle of the finalizer's node (a weak reference of the object).
    weak: Ref<T, F>,
    state: StdArc<State>,
}

impl<T: ?Sized + Referent, F: Family> Finalize<T, F> {
    /// Registers `func` (boxed as its family carries it), run by `call`,
    /// when `obj` dies (what [`finalize`] and `rc::finalize` do).
    fn register<B: Send + 'static>(obj: &F::Strong<T>, func: B, call: fn(B)) -> Self {
        ensure_exit_handler();
        let state = StdArc::new(State {
            seq: next_seq(),
            atexit: AtomicBool::new(true),
        });
        let payload = Finalizer {
            func,
            state: StdArc::clone(&state),
            call,
        };
        let weak = Ref::register(obj, payload);
        let entry = Entry {
            handle: weak.handle().clone(),
            state: StdArc::clone(&state),
        };
        registry().insert(state.seq, entry);
        Finalize { weak, state }
    }

    /// Python's `f()`: if the finalizer is alive, marks it dead and runs its
    /// function now (it never runs again); returns whether it ran.
    ///
    /// ```
    /// use std::sync::{Arc, atomic::{AtomicUsize, Ordering}};
    /// use weakref_core::{finalize, Header, Referent};
    ///
    /// #[derive(Referent)]
    /// struct Obj { header: Header }
    ///
    /// let runs = Arc::new(AtomicUsize::new(0));
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let r = runs.clone();
    /// let f = finalize(&obj, move || { r.fetch_add(1, Ordering::SeqCst); });
    /// assert!(f.call());
    /// assert!(!f.call() && !f.alive());
    /// drop(obj);
    /// assert_eq!(runs.load(Ordering::SeqCst), 1);
    /// ```
    pub fn call(&self) -> bool {
        let Some(claimed) = self.weak.handle().claim() else {
            return false;
        };
        // The function's panic propagates to the caller, as in Python.
        claimed.fire();
        true
    }

    /// Whether the finalizer is alive: neither run (at the object's death or
    /// by [`call`](Self::call)) nor [detached](Self::detach).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{finalize, Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let f = finalize(&obj, || ());
    /// assert!(f.alive());
    /// drop(obj);
    /// assert!(!f.alive());
    /// ```
    #[must_use]
    pub fn alive(&self) -> bool {
        self.weak.handle().is_armed()
    }

    /// Python's `f.peek()`: the object, if the finalizer is alive (and the
    /// object too).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{finalize, Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let f = finalize(&obj, || ());
    /// assert!(Arc::ptr_eq(&f.peek().unwrap(), &obj));
    /// f.call();
    /// assert!(f.peek().is_none());
    /// ```
    #[must_use]
    pub fn peek(&self) -> Option<F::Strong<T>> {
        let obj = self.weak.get()?;
        self.alive().then_some(obj)
    }

    /// Whether the finalizer runs at process exit if still alive then
    /// (Python's `f.atexit`; `true` when made).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{finalize, Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let f = finalize(&obj, || ());
    /// assert!(f.atexit());
    /// f.set_atexit(false);
    /// assert!(!f.atexit());
    /// ```
    #[must_use]
    pub fn atexit(&self) -> bool {
        self.state.atexit.load(Ordering::Relaxed)
    }

    /// Sets whether the finalizer runs at process exit if still alive then.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{finalize, Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let f = finalize(&obj, || ());
    /// f.set_atexit(false); // a cache file that need not be removed at exit
    /// assert!(!f.atexit());
    /// ```
    pub fn set_atexit(&self, run: bool) {
        // Relaxed: read at exit by the thread calling `exit`, which is
        // ordered after this store by whatever made that thread exit.
        self.state.atexit.store(run, Ordering::Relaxed);
    }

    /// Takes the object and the function (as its family carries it) out of
    /// an alive finalizer: `detach` of either family.
    fn detach_as<B: Send + 'static>(&self) -> Option<(F::Strong<T>, B)> {
        let obj = self.weak.get()?;
        let claimed = self.weak.handle().claim()?;
        drop(unregister(self.state.seq));
        let payload = claimed.take_payload::<Finalizer<B>>()?;
        Some((obj, payload.func))
    }
}

impl<T: ?Sized + Referent> Finalize<T, ArcFamily> {
    /// Python's `f.detach()`: if the finalizer is alive (and its object),
    /// marks it dead without running it, and gives back the object and the
    /// function.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weakref_core::{finalize, Header, Referent};
    ///
    /// #[derive(Referent)]
    /// struct Obj { header: Header }
    ///
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let f = finalize(&obj, || panic!("detached: never runs by itself"));
    /// let (same, func) = f.detach().unwrap();
    /// assert!(Arc::ptr_eq(&same, &obj) && !f.alive());
    /// drop((obj, same)); // nothing runs
    /// let _func: Box<dyn FnOnce() + Send> = func; // yours to call or drop
    /// ```
    #[allow(clippy::type_complexity)] // DESIGN's signature
    pub fn detach(&self) -> Option<(Arc<T>, Box<dyn FnOnce() + Send>)> {
        self.detach_as::<SendFn>()
    }
}

impl<T: ?Sized + Referent> Finalize<T, RcFamily> {
    /// Python's `f.detach()` for an `Rc` object: if the finalizer is alive
    /// (and its object), marks it dead without running it, and gives back
    /// the object and the function.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use weakref_core::{rc, Header, Referent};
    ///
    /// #[derive(Referent)]
    /// struct Obj { header: Header }
    ///
    /// let obj = Rc::new(Obj { header: Header::new() });
    /// let f = rc::finalize(&obj, || ());
    /// let (same, _func) = f.detach().unwrap();
    /// assert!(Rc::ptr_eq(&same, &obj) && !f.alive());
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn detach(&self) -> Option<(std::rc::Rc<T>, Box<dyn FnOnce()>)> {
        let (obj, bound) = self.detach_as::<LocalFn>()?;
        // `detach` is called on the object's thread (`rc` handles never
        // leave it), so the function is always there to give back.
        Some((obj, RcFamily::unbind(bound)?))
    }
}

impl<T: ?Sized + Referent, F: Family> Clone for Finalize<T, F> {
    /// Another handle to the same finalizer.
    fn clone(&self) -> Self {
        Finalize {
            weak: self.weak.clone(),
            state: StdArc::clone(&self.state),
        }
    }
}

/// `<finalize object at 0x..; for 'Type' at 0x..>`, or `<finalize object at
/// 0x..; dead>` (Python's repr).
impl<T: ?Sized + Referent, F: Family> fmt::Debug for Finalize<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let object = Ref::__object_ptr(&self.weak);
        if self.alive() && self.weak.is_alive() {
            write!(
                f,
                "<finalize object at {object:p}; for '{}' at {:p}>",
                core::any::type_name::<T>(),
                Ref::as_ptr(&self.weak)
            )
        } else {
            write!(f, "<finalize object at {object:p}; dead>")
        }
    }
}
