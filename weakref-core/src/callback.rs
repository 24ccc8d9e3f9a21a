//! Running what a referent's death set off: death hooks at once, then the
//! user callbacks, newest first, each exactly once, with no lock held.
//!
//! Deaths caused from inside a callback (a callback drops the last `Arc` of
//! another object) do not recurse: each thread keeps a queue of callbacks
//! waiting to run, and only the outermost death on the thread drains it. A
//! chain of a million deaths, each set off by the previous callback, runs in
//! constant stack. Hooks are never queued: dictionaries account for a death
//! the moment it happens (DESIGN semantics 13).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::node::Handle;
use crate::sync::thread_local;
use crate::unraisable;

/// The nodes claimed when a referent died, in list order (newest first).
#[derive(Debug, Default)]
pub(crate) struct Detached {
    pub(crate) hooks: Vec<Handle>,
    pub(crate) callbacks: Vec<Handle>,
}

impl Detached {
    /// Runs every hook now, then runs or queues the callbacks.
    pub(crate) fn run(self) {
        for hook in self.hooks {
            fire_reporting(hook, "weakref death hook");
        }
        if !self.callbacks.is_empty() {
            schedule(self.callbacks);
        }
    }
}

#[derive(Debug, Default)]
struct Queue {
    /// A frame of this thread is draining `pending`.
    draining: bool,
    pending: VecDeque<Handle>,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::new(Queue::default());
}

/// Appends `callbacks` to this thread's queue and drains it, unless an outer
/// frame already is (then that frame runs them when the current one returns).
fn schedule(callbacks: Vec<Handle>) {
    let mut callbacks = Some(callbacks);
    let must_drain = QUEUE.try_with(|queue| {
        let mut queue = queue.borrow_mut();
        queue.pending.extend(callbacks.take().into_iter().flatten());
        !core::mem::replace(&mut queue.draining, true)
    });
    match must_drain {
        Ok(true) => drain(),
        Ok(false) => {}
        // The thread's locals are being destroyed: no queue, run them here.
        Err(_) => {
            for callback in callbacks.into_iter().flatten() {
                fire_reporting(callback, "weakref callback");
            }
        }
    }
}

fn drain() {
    loop {
        let next = QUEUE.with(|queue| {
            let mut queue = queue.borrow_mut();
            let next = queue.pending.pop_front();
            if next.is_none() {
                queue.draining = false;
            }
            next
        });
        match next {
            Some(callback) => fire_reporting(callback, "weakref callback"),
            None => return,
        }
    }
}

/// Runs a claimed node's payload; a panic is reported, never propagated.
fn fire_reporting(handle: Handle, context: &'static str) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| handle.fire())) {
        unraisable::report(context, payload.as_ref());
        // Dropping a panic payload can itself panic; never let that escape.
        let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    }
}
