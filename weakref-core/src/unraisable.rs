//! Where panics that cannot propagate go: Python's `sys.unraisablehook`.
//!
//! A callback runs inside the `drop` of someone else's `Arc`; its panic must
//! not unwind through that drop. It is caught and reported here instead. The
//! default report is a line on stderr, like Python's "Exception ignored in".

use std::any::Any;
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
    *HOOK.write().unwrap_or_else(PoisonError::into_inner) = hook;
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
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(&info)));
        }
        None => eprintln!("Exception ignored in {context}: {message}"),
    }
}
