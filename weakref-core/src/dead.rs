//! [`Dead`]: a future that resolves when an object dies.
//!
//! No weakref library lets async code wait for a death; here it is a death
//! hook (the mechanism the weak dictionaries use) that wakes a waker. The
//! hook is registered by [`Ref::dead`](crate::Ref::dead) only, so a ref that
//! nobody awaits pays nothing: no allocation, nothing to do at its death.
//!
//! Runtime-agnostic: only `std::task::Waker`, no executor assumed.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use crate::node::{Handle, Kind, Payload};
use crate::sync::{Arc, AtomicBool, Mutex, Ordering, lock};

/// A future that resolves once an object has died: its weak references are
/// cleared (so `get()` is `None` by then); at once if it already has. Made
/// by [`Ref::dead`](crate::Ref::dead) (proxies: `p.weakref().dead()`).
///
/// `Send + Unpin + 'static`, for any executor. Many `Dead`s of one object
/// all resolve. Dropping one before the death unregisters it: nothing is
/// left on the object and its waker is never woken. It resolves on the
/// thread that kills the object, right after the clearing, before any
/// callback runs (the wake-up itself is the executor's business).
///
/// ```
/// use std::future::Future;
/// use std::pin::pin;
/// use std::sync::Arc;
/// use std::task::{Context, Poll, Waker};
/// use weakref_core::{Header, Ref, Referent};
///
/// #[derive(Referent)]
/// struct Session { header: Header }
///
/// let session = Arc::new(Session { header: Header::new() });
/// let r = Ref::new(&session);
/// let mut ended = pin!(r.dead());
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(ended.as_mut().poll(&mut cx).is_pending());
/// drop(session);
/// assert!(ended.as_mut().poll(&mut cx).is_ready());
/// assert!(r.get().is_none());
/// ```
pub struct Dead {
    /// `None` when the object was already dead when this was made.
    waiting: Option<Waiting>,
}

struct Waiting {
    state: Arc<State>,
    /// The death hook's weak reference object, cancelled if this future is
    /// dropped first.
    hook: Option<Handle>,
}

/// What the future and its death hook share.
#[derive(Default)]
struct State {
    /// The hook ran: the object's weak references are cleared.
    done: AtomicBool,
    /// The waker of the last poll, until the hook takes it.
    waker: Mutex<Option<Waker>>,
}

impl State {
    /// The death: mark done, then wake whoever polled last. Setting `done`
    /// before taking the waker under the lock pairs with `poll` checking it
    /// under the lock after storing the waker: no wake-up is lost.
    fn fire(&self) {
        // Release: a poll that sees it also sees the clearing before it.
        self.done.store(true, Ordering::Release);
        let waker = lock(&self.waker).take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn is_done(&self) -> bool {
        // Acquire: pairs with `fire`'s Release.
        self.done.load(Ordering::Acquire)
    }
}

/// The death hook of a [`Dead`]: the payload of its weak reference object.
pub(crate) struct Hook(Arc<State>);

impl Payload for Hook {
    const KIND: Kind = Kind::Hook;

    fn run(self, handle: Handle) {
        drop(handle);
        self.0.fire();
    }
}

impl Hook {
    /// A new hook, and the future it will resolve once it is registered.
    pub(crate) fn new() -> (Hook, Pending) {
        let state = Arc::new(State::default());
        (Hook(Arc::clone(&state)), Pending(state))
    }
}

/// A [`Dead`] whose hook is being registered.
pub(crate) struct Pending(Arc<State>);

impl Pending {
    /// The future, given the handle of the registered hook's node.
    pub(crate) fn registered(self, hook: Handle) -> Dead {
        Dead {
            waiting: Some(Waiting {
                state: self.0,
                hook: Some(hook),
            }),
        }
    }
}

impl Dead {
    /// A future that is already resolved.
    pub(crate) fn resolved() -> Dead {
        Dead { waiting: None }
    }

    /// Whether the object has died (the future would resolve now).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let obj = Arc::new(Obj { header: Header::new() });
    /// let dead = Ref::new(&obj).dead();
    /// assert!(!dead.is_resolved());
    /// drop(obj);
    /// assert!(dead.is_resolved());
    /// ```
    #[must_use]
    pub fn is_resolved(&self) -> bool {
        self.waiting.as_ref().is_none_or(|w| w.state.is_done())
    }
}

impl Future for Dead {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(waiting) = &self.waiting else {
            return Poll::Ready(());
        };
        let state = &waiting.state;
        if state.is_done() {
            return Poll::Ready(());
        }
        let mut waker = lock(&state.waker);
        // Checked again under the lock: `fire` sets `done` before it takes
        // the waker under this lock, so either it sees the waker stored
        // below, or we see `done` here.
        if state.is_done() {
            return Poll::Ready(());
        }
        match &mut *waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let Some(hook) = self.hook.take() else { return };
        if self.state.is_done() {
            drop(hook);
        } else {
            // Nobody waits any more: disarm the hook so nothing is left on
            // the object. If the death claimed it meanwhile, it runs
            // anyway and only stores `done`. (The probe says "alive": a
            // hook nobody waits for need not be parked for the clearing.)
            let _ = hook.cancel(&|| false);
        }
    }
}

impl fmt::Debug for Dead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dead")
            .field("resolved", &self.is_resolved())
            .finish()
    }
}
