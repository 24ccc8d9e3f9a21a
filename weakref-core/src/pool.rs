//! Recycled death-hook nodes for the weak dictionaries: no allocation per
//! entry in steady state.
//!
//! Each entry of a weak dictionary is a weak reference object with a death
//! hook ([`Ref::with_death_hook`](crate::Ref::with_death_hook)): one
//! allocation per insert and one free per remove, the largest fixed cost of
//! a dictionary insert+remove after hashing. A [`HookPool`] keeps the
//! allocations of its dictionary's removed entries and hands them to the next
//! inserts. An entry's node is given back to the pool when its last handle
//! goes with the hook never run (the entry was removed, not killed); a node
//! whose hook ran (its object died) goes back to the allocator as usual.
//!
//! Two kinds of kept nodes:
//! - *reclaimed*: an entry removed through [`HookPool::cancel`] (the
//!   dictionary's own `remove`, with its `&mut`) whose handle was the last
//!   gives its node straight back, payload and all. The pool keeps it on a
//!   plain list it alone owns, and the next insert only rewrites the node's
//!   header and the payload's data: no atomic operation on the pool, and no
//!   reference count of it taken or given up (a remove then insert costs
//!   the registration's own steps and nothing else).
//! - *returned*: a node whose last handle went elsewhere (a clone dropped on
//!   another thread) comes back through its payload's `FREE`, onto a Treiber
//!   stack with one consumer (the pool's owner, through `&mut`) and any
//!   number of producers, which rules out ABA: only the consumer removes
//!   nodes, so a head it read cannot be removed and pushed back behind its
//!   back. Its payload (and the pool reference in it) is dropped.
//!
//! Not public API: for `weakref-collections`.

use core::fmt;
use core::ptr::{self, NonNull};

use crate::family::Family;
use crate::header::Referent;
use crate::node::{
    Handle, Kind, Node, NodePtr, Payload, free_into_pool, free_next, free_node, free_pooled_node,
    kept_payload, set_free_next,
};
use crate::reference::Ref;
use crate::sync::{Arc, AtomicBool, AtomicPtr, Ordering};

/// What a pooled death hook does at its object's death, given the data its
/// entry was registered with.
pub trait PooledHook: Send + Sync + 'static {
    /// The object of the entry registered with `data` died: called once, on
    /// the dying thread, at the clearing (as a death hook is).
    fn on_death(&self, data: [u64; 2]);
}

/// A pool of recycled death-hook nodes, and the hook they run
/// (`weakref-collections`' death ledger). Not public API.
pub struct HookPool<H: PooledHook> {
    shared: Arc<Shared<H>>,
    /// Reclaimed nodes (see the module docs), linked through their free
    /// links, each a `Pooled<H>` node of this pool with its payload in
    /// place: the pool's alone.
    kept: Option<NodePtr>,
}

struct Shared<H: PooledHook> {
    hook: H,
    /// The free stack's head: free node allocations of `Pooled<H>` nodes.
    head: AtomicPtr<Node>,
    /// Cleared when the `HookPool` goes: nodes freed later are not kept.
    open: AtomicBool,
}

/// The payload of a pooled hook node.
struct Pooled<H: PooledHook> {
    shared: Arc<Shared<H>>,
    data: [u64; 2],
}

impl<H: PooledHook> Payload for Pooled<H> {
    const KIND: Kind = Kind::Hook;
    const FREE: unsafe fn(NonNull<Node>) = free_pooled::<H>;

    fn run(self, handle: Handle) {
        drop(handle);
        self.shared.hook.on_death(self.data);
    }
}

/// `Pooled::FREE`: the allocation goes back to its pool while it is open.
///
/// # Safety
/// `Payload::FREE`'s contract: a `Pooled<H>` node with no handles, not
/// linked, never used again by the caller.
unsafe fn free_pooled<H: PooledHook>(node: NonNull<Node>) {
    // SAFETY: forwarded caller contract.
    unsafe { free_into_pool::<Pooled<H>>(node, |payload, node| payload.shared.push(node)) }
}

impl<H: PooledHook> Shared<H> {
    /// Keeps `node` if the pool is open.
    fn push(&self, node: NonNull<Node>) -> bool {
        // Relaxed: a push racing the pool's close is drained by `Shared`'s
        // drop instead (the pusher's payload holds a reference to it).
        if !self.open.load(Ordering::Relaxed) {
            return false;
        }
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            // SAFETY: `node` is a free node given to the pool (no handles,
            // not linked, nobody else uses it), a live allocation.
            unsafe { set_free_next(node, NonNull::new(head)) };
            // Release: publishes the link written above to the consumer.
            match self.head.compare_exchange_weak(
                head,
                node.as_ptr(),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => head = actual,
            }
        }
    }

    /// Takes one kept node. The caller is the pool's only consumer.
    fn pop(&self) -> Option<NonNull<Node>> {
        // Acquire: sees the link its pusher wrote before publishing it.
        let mut head = NonNull::new(self.head.load(Ordering::Acquire))?;
        loop {
            // SAFETY: `head` is on the stack, and only the consumer (us)
            // removes nodes from it, so it is not freed or reused meanwhile.
            let next = unsafe { free_next(head) };
            // Acquire on both: as above, for the next head.
            match self.head.compare_exchange_weak(
                head.as_ptr(),
                next.map_or(ptr::null_mut(), NonNull::as_ptr),
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => return Some(head),
                Err(actual) => head = NonNull::new(actual)?,
            }
        }
    }

    /// Frees every node on the stack.
    fn drain(&self) {
        // Acquire: sees every kept node's link.
        let mut next = NonNull::new(self.head.swap(ptr::null_mut(), Ordering::Acquire));
        while let Some(node) = next {
            // SAFETY: taken off the stack by the swap: ours alone.
            next = unsafe { free_next(node) };
            // SAFETY: a `Pooled<H>` allocation whose payload was taken (by
            // `free_into_pool`), ours alone.
            unsafe { free_pooled_node::<Pooled<H>>(node) };
        }
    }
}

impl<H: PooledHook> HookPool<H> {
    /// A new, empty pool running `hook`.
    pub fn new(hook: H) -> Self {
        HookPool {
            shared: Arc::new(Shared {
                hook,
                head: AtomicPtr::new(ptr::null_mut()),
                open: AtomicBool::new(true),
            }),
            kept: None,
        }
    }

    /// Frees the nodes kept for reuse (a dictionary's `shrink_to_fit`).
    pub fn release_kept(&mut self) {
        while let Some(node) = self.pop_kept() {
            // SAFETY: a reclaimed `Pooled<H>` node, the pool's alone, now
            // ours (popped); its payload is dropped with it.
            unsafe { free_pooled_node::<Pooled<H>>(node) };
        }
        // `&mut self`: the one consumer of the stack.
        self.shared.drain();
    }

    /// Takes one reclaimed node off the pool's own list.
    fn pop_kept(&mut self) -> Option<NonNull<Node>> {
        let node = self.kept?.0;
        // SAFETY: a node on the pool's own list, a live allocation that
        // only the pool uses.
        self.kept = unsafe { free_next(node) }.map(NodePtr);
        Some(node)
    }

    /// The hook.
    pub fn hook(&self) -> &H {
        &self.shared.hook
    }

    /// A new weak reference to `obj` whose death calls
    /// `hook().on_death(data)`, in a recycled node when one is kept.
    pub fn register<T, F>(&mut self, obj: &F::Strong<T>, data: [u64; 2]) -> Ref<T, F>
    where
        T: ?Sized + Referent,
        F: Family,
    {
        if let Some(node) = self.pop_kept() {
            // SAFETY: a reclaimed node (see `cancel`): a `Pooled<H>` node of
            // this pool with no handles, not linked, payload in place, and
            // the pool's alone; popped, so now exclusively ours.
            let payload = unsafe { kept_payload::<Pooled<H>>(node) }
                .expect("a reclaimed node keeps its payload");
            payload.data = data;
            // SAFETY: as above.
            return unsafe { Ref::register_kept::<Pooled<H>>(obj, node) };
        }
        let payload = Pooled {
            shared: Arc::clone(&self.shared),
            data,
        };
        // `&mut self`: the one consumer of the stack.
        let recycled = self.shared.pop();
        Ref::register_reusing(obj, payload, recycled)
    }

    /// [`Ref::cancel`] of an entry's ref: if this was its last handle and
    /// it is a node of this pool whose hook never ran, the pool keeps the
    /// node, payload and all, for the next [`register`](HookPool::register).
    pub fn cancel<T, F>(&mut self, entry: Ref<T, F>) -> bool
    where
        T: ?Sized + Referent,
        F: Family,
    {
        let (cancelled, freed) = entry.cancel_reclaiming();
        let Some(node) = freed else {
            return cancelled;
        };
        // SAFETY: given back by `cancel_reclaiming`: no handles, unlinked,
        // nothing else can reach it.
        let ours = unsafe { kept_payload::<Pooled<H>>(node) }
            .is_some_and(|payload| Arc::ptr_eq(&payload.shared, &self.shared));
        if ours {
            // SAFETY: as above; it joins the pool's own list.
            unsafe { set_free_next(node, self.kept.map(|next| next.0)) };
            self.kept = Some(NodePtr(node));
        } else {
            // SAFETY: as above; freed as its last handle would have.
            unsafe { free_node(node) };
        }
        cancelled
    }
}

impl<H: PooledHook> Drop for HookPool<H> {
    fn drop(&mut self) {
        // Relaxed: see `push`.
        self.shared.open.store(false, Ordering::Relaxed);
        self.release_kept();
    }
}

impl<H: PooledHook> Drop for Shared<H> {
    fn drop(&mut self) {
        // Nodes pushed while the pool was closing: every pusher's payload
        // held a reference to `self`, so all are on the stack by now.
        self.drain();
    }
}

impl<H: PooledHook + fmt::Debug> fmt::Debug for HookPool<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HookPool")
            .field("hook", &self.shared.hook)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::ArcFamily;
    use crate::header::Header;
    use std::sync::Mutex;

    #[derive(crate::Referent)]
    #[referent(crate = "crate")]
    struct Obj {
        header: Header,
    }

    fn obj() -> Arc<Obj> {
        Arc::new(Obj {
            header: Header::new(),
        })
    }

    #[derive(Default)]
    struct Log(Mutex<Vec<[u64; 2]>>);

    impl PooledHook for Log {
        fn on_death(&self, data: [u64; 2]) {
            self.0.lock().unwrap().push(data);
        }
    }

    #[test]
    fn a_removed_entry_s_node_is_reused() {
        let mut pool = HookPool::new(Log::default());
        let o = obj();
        let first: Ref<Obj, ArcFamily> = pool.register(&o, [1, 1]);
        let address = Ref::__object_ptr(&first);
        assert!(first.cancel());
        let second: Ref<Obj, ArcFamily> = pool.register(&o, [2, 2]);
        assert_eq!(Ref::__object_ptr(&second), address, "the kept node");
        drop(o);
        assert_eq!(*pool.hook().0.lock().unwrap(), [[2, 2]]);
        drop(second);
    }

    /// Takes (and frees) a node returned to `pool`'s stack, if any.
    fn take_returned(pool: &HookPool<Log>) -> bool {
        let Some(node) = pool.shared.pop() else {
            return false;
        };
        // SAFETY: taken off the stack: a free `Pooled<Log>` node, ours.
        unsafe { free_pooled_node::<Pooled<Log>>(node) };
        true
    }

    #[test]
    fn a_node_cancelled_through_the_pool_is_reused_payload_and_all() {
        let mut pool = HookPool::new(Log::default());
        let o = obj();
        let first: Ref<Obj, ArcFamily> = pool.register(&o, [1, 1]);
        let address = Ref::__object_ptr(&first);
        let counted = Arc::strong_count(&pool.shared);
        assert!(pool.cancel(first));
        assert!(pool.kept.is_some());
        assert_eq!(Arc::strong_count(&pool.shared), counted, "payload kept");
        let second: Ref<Obj, ArcFamily> = pool.register(&o, [2, 2]);
        assert_eq!(Ref::__object_ptr(&second), address, "the reclaimed node");
        assert!(pool.kept.is_none());
        assert_eq!(crate::getweakrefcount(&o), 1);
        drop(o);
        assert_eq!(*pool.hook().0.lock().unwrap(), [[2, 2]], "the new data");
        drop(second);
    }

    #[test]
    fn a_node_with_other_handles_is_not_reclaimed() {
        let mut pool = HookPool::new(Log::default());
        let o = obj();
        let entry: Ref<Obj, ArcFamily> = pool.register(&o, [1, 1]);
        let other = entry.clone();
        assert!(pool.cancel(entry));
        assert!(pool.kept.is_none());
        drop(other);
        assert!(pool.kept.is_none(), "returned through the stack instead");
        assert!(take_returned(&pool));
        drop(o);
        assert!(pool.hook().0.lock().unwrap().is_empty(), "cancelled");
    }

    #[test]
    fn another_pool_s_node_is_freed_not_kept() {
        let mut mine = HookPool::new(Log::default());
        let mut theirs = HookPool::new(Log::default());
        let o = obj();
        let entry: Ref<Obj, ArcFamily> = theirs.register(&o, [1, 1]);
        assert!(mine.cancel(entry));
        assert!(mine.kept.is_none());
        assert!(theirs.kept.is_none());
        assert!(take_returned(&theirs), "back to its own pool");
    }

    #[test]
    fn a_node_whose_hook_ran_is_not_reclaimed() {
        let mut pool = HookPool::new(Log::default());
        let o = obj();
        let entry: Ref<Obj, ArcFamily> = pool.register(&o, [1, 1]);
        drop(o);
        assert!(!pool.cancel(entry));
        assert!(pool.kept.is_none());
        assert_eq!(pool.hook().0.lock().unwrap().len(), 1);
    }

    // Kept nodes go with the pool or with `release_kept`, payloads and all
    // (Miri's leak check sees any leftover).
    #[test]
    fn reclaimed_nodes_are_freed_by_release_kept_and_drop() {
        let mut pool = HookPool::new(Log::default());
        let o = obj();
        let refs: Vec<Ref<Obj, ArcFamily>> = (0..3).map(|i| pool.register(&o, [i, i])).collect();
        for r in refs {
            assert!(pool.cancel(r));
        }
        pool.release_kept();
        assert!(pool.kept.is_none());
        assert_eq!(Arc::strong_count(&pool.shared), 1);
        let refs: Vec<Ref<Obj, ArcFamily>> = (0..3).map(|i| pool.register(&o, [i, i])).collect();
        for r in refs {
            assert!(pool.cancel(r));
        }
        drop(pool);
    }

    #[test]
    fn a_node_whose_hook_ran_is_not_kept() {
        let mut pool = HookPool::new(Log::default());
        let o = obj();
        let r: Ref<Obj, ArcFamily> = pool.register(&o, [1, 1]);
        drop(o);
        drop(r);
        assert!(pool.shared.pop().is_none());
        assert_eq!(pool.hook().0.lock().unwrap().len(), 1);
    }

    // Nodes in use when the pool goes are freed by their last handle, and
    // kept ones with the pool (Miri's leak check sees any leftover).
    #[test]
    fn nodes_outliving_the_pool_are_freed() {
        let mut pool = HookPool::new(Log::default());
        let o = obj();
        let kept: Ref<Obj, ArcFamily> = pool.register(&o, [1, 1]);
        let in_use: Ref<Obj, ArcFamily> = pool.register(&o, [2, 2]);
        assert!(kept.cancel());
        drop(pool);
        assert!(in_use.cancel());
        drop(o);
    }
}
