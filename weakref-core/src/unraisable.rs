//! Where panics that cannot propagate go: Python's `sys.unraisablehook`.
//!
//! A callback runs inside the `drop` of someone else's `Arc`; its panic must
//! not unwind through that drop. It is caught and reported here instead. The
//! default report is a line on stderr, like Python's "Exception ignored in".

use std::any::Any;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, PoisonError, RwLock};
use std::thread::{self, ThreadId};

/// What the unraisable hook is told about a panic that could not propagate.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use weakref_core::{set_unraisable_hook, Header, Ref, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = Arc::clone(&seen);
/// set_unraisable_hook(Some(Arc::new(move |info: &weakref_core::UnraisableInfo<'_>| {
///     sink.lock().unwrap().push(info.message.to_owned());
/// })));
///
/// let obj = Arc::new(Obj { header: Header::new() });
/// let _r = Ref::with_callback(&obj, |_| panic!("boom"));
/// drop(obj); // the panic is caught and handed to the hook
/// set_unraisable_hook(None);
/// assert_eq!(*seen.lock().unwrap(), ["boom"]);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct UnraisableInfo<'a> {
    /// The panic message (`"<non-string panic payload>"` if it was not a string).
    pub message: &'a str,
    /// Where it happened, e.g. `"weakref callback"`.
    pub context: &'a str,
    /// The thread the panic happened on (the thread that dropped the referent).
    pub thread: ThreadId,
    /// The panic payload itself, for hooks that want to downcast it.
    pub payload: &'a (dyn Any + Send),
}

/// A replacement for the default report.
pub type UnraisableHook = Arc<dyn Fn(&UnraisableInfo<'_>) + Send + Sync>;

static HOOK: RwLock<Option<UnraisableHook>> = RwLock::new(None);

/// Installs `hook` to receive every panic that a weak reference callback (or
/// a dictionary's death hook) raised and could not propagate; `None` restores
/// the default, which prints to stderr. Process-wide, like
/// `sys.unraisablehook`; tests that install one can filter on
/// [`UnraisableInfo::thread`].
///
/// ```
/// weakref_core::set_unraisable_hook(Some(std::sync::Arc::new(|info: &weakref_core::UnraisableInfo<'_>| {
///     eprintln!("ignored: {}", info.message);
/// })));
/// weakref_core::set_unraisable_hook(None);
/// ```
pub fn set_unraisable_hook(hook: Option<UnraisableHook>) {
    let old = core::mem::replace(
        &mut *HOOK.write().unwrap_or_else(PoisonError::into_inner),
        hook,
    );
    // The old hook is dropped after the lock is released: its drop may kill
    // an object whose callback panics, and reporting that takes the lock
    // (outside review, failure 4).
    drop(old);
}

/// Reports a caught panic to the hook, or to stderr.
pub(crate) fn report(context: &str, payload: &(dyn Any + Send)) {
    let message = if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.as_str()
    } else {
        "<non-string panic payload>"
    };
    let info = UnraisableInfo {
        message,
        context,
        thread: thread::current().id(),
        payload,
    };
    // Clone the hook out so it runs without the lock (it may install another).
    let hook = HOOK.read().unwrap_or_else(PoisonError::into_inner).clone();
    match hook {
        Some(hook) => {
            // A panicking hook is ignored: there is nowhere left to report it.
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| hook(&info))) {
                drop_payload(payload);
            }
        }
        None => {
            // Never `eprintln!`, which panics when stderr is closed (a program
            // piped into `head`): reporting must not panic (failure 5).
            let _ = writeln!(
                std::io::stderr().lock(),
                "Exception ignored in {context}: {message}"
            );
        }
    }
}

/// Drops a caught panic's payload, whose own `Drop` may panic: that second
/// panic is caught too, and its payload leaked rather than risked.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(second) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        core::mem::forget(second);
    }
}
