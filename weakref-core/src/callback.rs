//! Running what a referent's death set off: death hooks at once, then the
//! user callbacks, newest first, each exactly once, with no lock held.
//!
//! Deaths caused from inside a callback (a callback drops the last `Arc` of
//! another object) do not recurse: the outermost death on a thread drains a
//! queue, and deaths inside its callbacks append to that queue and return. A
//! chain of a million deaths, each set off by the previous callback, runs in
//! constant stack. Hooks are never queued: dictionaries account for a death
//! the moment it happens (DESIGN semantics 13).
//!
//! The queue lives in the draining frame; the thread-local only points to
//! it. That thread-local is const-initialised and has no destructor, so it
//! still works while the thread's other thread-locals are being destroyed:
//! a chain of deaths set off by a thread-local's destructor is queued too,
//! not run recursively (outside review, failure 3).

use core::cell::Cell;
use core::ptr;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::node::Claimed;
use crate::unraisable;

/// The nodes claimed when a referent died, in list order (newest first).
#[derive(Debug, Default)]
pub(crate) struct Detached {
    pub(crate) hooks: Claims,
    pub(crate) callbacks: Claims,
}

/// Claimed nodes in order, the first one inline: the usual death claims at
/// most one hook and one callback, and then allocates nothing here.
#[derive(Debug, Default)]
pub(crate) struct Claims {
    first: Option<Claimed>,
    rest: Vec<Claimed>,
}

impl Claims {
    pub(crate) fn push(&mut self, claimed: Claimed) {
        if self.first.is_none() {
            self.first = Some(claimed);
        } else {
            self.rest.push(claimed);
        }
    }

    fn is_empty(&self) -> bool {
        self.first.is_none()
    }
}

impl Claims {
    /// Calls `f` on each claim, in order (no iterator over the usually empty
    /// `rest`: this runs at every death with a callback).
    fn for_each(self, mut f: impl FnMut(Claimed)) {
        if let Some(first) = self.first {
            f(first);
        }
        if !self.rest.is_empty() {
            self.rest.into_iter().for_each(f);
        }
    }
}

impl Detached {
    /// Runs every hook now, then runs or queues the callbacks.
    pub(crate) fn run(self) {
        self.hooks
            .for_each(|hook| fire_reporting(hook, "weakref death hook"));
        if !self.callbacks.is_empty() {
            schedule(self.callbacks);
        }
    }
}

type Queue = VecDeque<Claimed>;

#[cfg(not(loom))]
std::thread_local! {
    /// The queue an outer frame of this thread is draining, or null.
    static DRAINING: Cell<*mut Queue> = const { Cell::new(ptr::null_mut()) };
}

#[cfg(loom)]
loom::thread_local! {
    static DRAINING: Cell<*mut Queue> = Cell::new(ptr::null_mut());
}

/// Runs `callbacks`, or appends them to the queue an outer frame of this
/// thread is draining (that frame runs them when the current one returns).
fn schedule(callbacks: Claims) {
    let outer = DRAINING.with(Cell::get);
    if !outer.is_null() {
        // SAFETY: `outer` points to the `queue` local of a `schedule` frame
        // further down this thread's stack (set below, reset by `Draining`
        // before that local is dropped, also on unwinding). That frame holds
        // no reference into the queue while a callback runs (it only touches
        // the queue through the pointer, between callbacks), and no other
        // thread can see this thread-local: the access is exclusive.
        callbacks.for_each(|callback| unsafe { (*outer).push_back(callback) });
        return;
    }
    // This death's own callbacks run first, in order; deaths inside them
    // append to `queue` (which allocates only then), drained after.
    let mut queue = Queue::new();
    let queue_ptr: *mut Queue = &mut queue;
    // Declared after `queue`, so dropped (resetting the thread-local) before
    // it, also when a panic unwinds through here.
    let _draining = Draining::start(queue_ptr);
    callbacks.for_each(|callback| fire_reporting(callback, "weakref callback"));
    loop {
        // SAFETY: `queue` is alive for this whole loop and only used through
        // `queue_ptr`; nested `schedule` calls (from the callback below) are
        // finished before we get here again.
        let next = unsafe { (*queue_ptr).pop_front() };
        match next {
            Some(callback) => fire_reporting(callback, "weakref callback"),
            None => return,
        }
    }
}

/// Publishes the draining frame's queue for the thread, until dropped.
struct Draining;

impl Draining {
    fn start(queue: *mut Queue) -> Draining {
        DRAINING.with(|draining| draining.set(queue));
        Draining
    }
}

impl Drop for Draining {
    fn drop(&mut self) {
        DRAINING.with(|draining| draining.set(ptr::null_mut()));
    }
}

/// Runs a claimed node's payload; a panic is reported, never propagated.
pub(crate) fn fire_reporting(claimed: Claimed, context: &'static str) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| claimed.fire())) {
        // Reporting is built never to panic; if it did anyway (a broken
        // thread, say, during process exit), that panic is dropped too.
        if let Err(second) = catch_unwind(AssertUnwindSafe(|| {
            unraisable::report(context, payload.as_ref())
        })) {
            unraisable::drop_payload(second);
        }
        unraisable::drop_payload(payload);
    }
}
