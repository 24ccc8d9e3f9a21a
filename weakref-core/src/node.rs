//! Weak reference objects ("nodes") and the counted handles that own them.
//!
//! Every weak reference object — a shared callback-less ref, a shared proxy,
//! a ref or proxy with a callback, a dictionary entry's ref — is one [`Node`].
//! A node belongs to one referent's [`List`] for its whole life and is
//! type-erased: `Ref<C>` and `Ref<dyn Tr>` made from the same object use the
//! same nodes (DESIGN 9a). A [`Handle`] is one counted owner of a node; `Ref`
//! and the proxies are a handle plus a typed `std::sync::Weak` of the referent.
//!
//! Who frees a node:
//! - *shared* nodes (the callback-less ref and proxy) are owned by their list
//!   and freed with it, so the list can hand them out again without a lock
//!   (`List::shared`). While a shared node has handles it keeps the list
//!   alive (`Links::holds_list`).
//! - *payload* nodes (with a callback or a death hook) are allocated one per
//!   registration, keep their list alive, and are freed by whoever drops their
//!   last handle, after unlinking them under the list lock (a dictionary's
//!   entries go back to its pool instead: `pool.rs`).

use core::ptr::NonNull;

use crate::hash::HashCache;
use crate::list::{List, ListRef, Locked, State};
use crate::sync::{AtomicUsize, Ordering, UnsafeCell};

/// What a node is for; fixes where it sits in the list and when its payload
/// runs at the referent's death.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The shared callback-less ref or proxy, in a slot of the list.
    Shared,
    /// A user callback: queued, run after all hooks, newest first.
    Callback,
    /// A death hook for the workspace's dictionaries: run at clearing time.
    Hook,
}

/// The two shared, callback-less weak reference objects of a referent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// `Ref::new(obj)`.
    Ref = 0,
    /// `proxy(obj)`.
    Proxy = 1,
}

/// Fields protected by the lock of the node's list: only ever touched
/// through [`Node::links`], which takes the locked state as proof.
#[derive(Debug)]
pub(crate) struct Links {
    pub(crate) prev: Option<NodePtr>,
    pub(crate) next: Option<NodePtr>,
    /// Reachable from the list: counted by `getweakrefcount`, and detached
    /// (callback claimed) at the referent's death.
    pub(crate) linked: bool,
    /// Shared nodes only: this node owns one count of its list's `refs`.
    pub(crate) holds_list: bool,
    /// Payload nodes only: `Ref::cancel` was called before the death claimed
    /// the node, so its payload must never run.
    pub(crate) cancelled: bool,
    /// Payload nodes only: the last handle was dropped after the referent's
    /// last strong `Arc` went but before its header cleared the list (its
    /// own fields were still being dropped). The death must still run the
    /// payload, so that handle's count now belongs to the list, and
    /// `detach_all` claims it.
    pub(crate) parked: bool,
}

/// What a node carries, run once when its referent dies.
pub(crate) trait Payload: Sized + Send + 'static {
    /// The kind of node that carries this payload.
    const KIND: Kind;
    /// How the node's allocation is given back once nothing can reach it:
    /// to the allocator, or (pooled death hooks) to the pool it came from.
    const FREE: unsafe fn(NonNull<Node>) = free::<Self>;
    /// Runs the payload, giving it the claimed handle of its node.
    fn run(self, handle: Handle);
}

/// The payload of shared nodes: nothing (they are never claimed).
#[derive(Debug)]
pub(crate) struct NoPayload;

/// A user callback: queued, run newest first after all hooks.
#[derive(Debug)]
pub(crate) struct Callback<F>(pub(crate) F);

/// A death hook: run at clearing time, never deferred.
#[derive(Debug)]
pub(crate) struct Hook<F>(pub(crate) F);

impl Payload for NoPayload {
    const KIND: Kind = Kind::Shared;
    fn run(self, _: Handle) {}
}

impl<F: FnOnce(Handle) + Send + 'static> Payload for Callback<F> {
    const KIND: Kind = Kind::Callback;
    fn run(self, handle: Handle) {
        (self.0)(handle);
    }
}

impl<F: FnOnce(Handle) + Send + 'static> Payload for Hook<F> {
    const KIND: Kind = Kind::Hook;
    fn run(self, handle: Handle) {
        (self.0)(handle);
    }
}

/// How to run and free the payload of a node whose concrete type is erased.
struct VTable {
    /// The payload's kind, kept here so a node stays one cache line.
    kind: Kind,
    /// The payload's type, so a typed caller can take it back out
    /// ([`Claimed::take_payload`]).
    payload_type: fn() -> core::any::TypeId,
    /// Takes the payload out and runs it with the given handle.
    fire: unsafe fn(NonNull<Node>, Handle),
    /// Frees the node's allocation (dropping a payload that never ran).
    free: unsafe fn(NonNull<Node>),
}

/// A weak reference object. Always the first field of a `PayloadNode<P>`.
#[repr(C)]
pub(crate) struct Node {
    /// The referent's list. Immutable. Payload nodes own one count of it;
    /// shared nodes are owned by it.
    list: NonNull<List>,
    /// Live handles (the low bits, [`COUNT`]) and the [`DETACHED`] flag.
    /// Handles: `Ref`s, proxies, and temporaries held while a callback
    /// runs or while `getweakrefs` builds its result.
    handles: AtomicUsize,
    vtable: &'static VTable,
    /// Python's cached `hash(ref)`.
    pub(crate) hash: HashCache,
    links: UnsafeCell<Links>,
}

/// A node and its payload: the callback (wrapped to take a [`Handle`]), or
/// nothing for shared nodes.
#[repr(C)]
struct PayloadNode<P> {
    node: Node,
    /// Taken exactly once: by `fire` (the thread that claimed the node at
    /// the referent's death) or dropped by `free`. See `fire`'s safety.
    payload: UnsafeCell<Option<P>>,
}

impl<P: Payload> PayloadNode<P> {
    fn new(list: NonNull<List>, payload: Option<P>) -> Self {
        PayloadNode {
            node: Node::fresh::<P>(list),
            payload: UnsafeCell::new(payload),
        }
    }
}

/// A pointer to a node, sendable between threads. Whether it may be
/// dereferenced is argued at each use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NodePtr(pub(crate) NonNull<Node>);

// SAFETY: a `NodePtr` is only an address; every dereference is justified where
// it happens (a counted handle, or the list lock with the node linked). The
// node itself is `Sync`-safe: its shared fields are atomics, `links` is only
// touched under the list lock, and its payload by the one thread that owns it.
unsafe impl Send for NodePtr {}
// SAFETY: as for `Send`: sharing the address shares nothing unsynchronised.
unsafe impl Sync for NodePtr {}

// A weak reference object's state is atomics and lock-protected links that
// every operation leaves consistent, also when user code (a callback, a
// payload's `Drop`) panics: observing it after a caught panic is fine. So
// `Ref` and the proxies are unwind-safe when their `Weak` is, as std's
// `Weak` is.
impl std::panic::UnwindSafe for NodePtr {}
impl std::panic::RefUnwindSafe for NodePtr {}

impl Node {
    /// A new, unlinked weak reference object of `list` for a `P` payload,
    /// with one handle.
    fn fresh<P: Payload>(list: NonNull<List>) -> Node {
        Node {
            list,
            handles: AtomicUsize::new(1),
            vtable: &VTableFor::<P>::VTABLE,
            hash: HashCache::new(),
            links: UnsafeCell::new(Links {
                prev: None,
                next: None,
                linked: false,
                holds_list: false,
                cancelled: false,
                parked: false,
            }),
        }
    }

    /// Allocates a node of `list` holding `payload`, with one handle.
    ///
    /// For payload nodes the caller has already taken the count of `list`
    /// that the node owns; shared nodes are owned by the list instead.
    pub(crate) fn alloc<P: Payload>(list: NonNull<List>, payload: Option<P>) -> NonNull<Node> {
        let boxed = Box::new(PayloadNode::new(list, payload));
        // `PayloadNode` is `repr(C)` with the node first, so the pointer to the
        // whole allocation is also a pointer to its `Node` (with provenance
        // over the whole allocation, which `free` and `fire` cast back to).
        NonNull::from(Box::leak(boxed)).cast::<Node>()
    }

    /// `alloc`, reusing `recycled` (an allocation of a `PayloadNode<P>` that
    /// a pool got back from [`Pooled::FREE`](crate::pool)) when there is one.
    ///
    /// # Safety
    /// `recycled`, if any, came from `Node::alloc::<P>` (or this function),
    /// was freed into its pool by `free_into_pool`, and is exclusively the
    /// caller's: nothing else holds or will use the pointer.
    pub(crate) unsafe fn alloc_reusing<P: Payload>(
        list: NonNull<List>,
        payload: P,
        recycled: Option<NonNull<Node>>,
    ) -> NonNull<Node> {
        let Some(recycled) = recycled else {
            return Node::alloc(list, Some(payload));
        };
        let typed = recycled.cast::<PayloadNode<P>>();
        // SAFETY: a live, exclusively owned allocation of a `PayloadNode<P>`
        // (caller contract) whose payload was taken out: its old value is
        // dropped in place (nothing to free: no payload, no heap fields),
        // then the fresh node is written over it.
        unsafe { core::ptr::drop_in_place(typed.as_ptr()) };
        // SAFETY: as above: valid for writes, properly aligned, dropped.
        unsafe { typed.as_ptr().write(PayloadNode::new(list, Some(payload))) };
        recycled
    }

    /// Makes `kept`, a node its pool kept with its payload in place (see
    /// [`Handle::cancel_reclaiming`]), a fresh weak reference object of
    /// `list` with one handle, its payload untouched.
    ///
    /// # Safety
    /// `kept` is a live allocation of a `PayloadNode<P>` whose last handle
    /// was given up (no handles, not linked) and which is exclusively the
    /// caller's: nothing else holds or will use the pointer.
    pub(crate) unsafe fn renew<P: Payload>(kept: NonNull<Node>, list: NonNull<List>) {
        let node = kept.as_ptr();
        // SAFETY: a live, exclusively owned allocation (caller contract);
        // the node's old value is dropped in place (nothing to free: no
        // heap fields), then the fresh one is written over it. The payload,
        // after the node in the `repr(C)` allocation, is not touched.
        unsafe { core::ptr::drop_in_place(node) };
        // SAFETY: as above: valid for writes, properly aligned, dropped.
        unsafe { node.write(Node::fresh::<P>(list)) };
    }

    pub(crate) fn kind(&self) -> Kind {
        self.vtable.kind
    }

    /// Takes one more handle if the node still has one; fails once its
    /// handle count has reached zero (it is being dropped).
    pub(crate) fn try_acquire(&self) -> bool {
        let mut n = self.handles.load(Ordering::Relaxed);
        loop {
            if n & COUNT == 0 {
                return false;
            }
            check_count(n);
            // Acquire: pairs with the Release store of `reset_handles` so a
            // handle to a resurrected shared node sees its reset hash cache.
            match self
                .handles
                .compare_exchange_weak(n, n + 1, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(actual) => n = actual,
            }
        }
    }

    /// Number of live handles (exact under the list lock for payload nodes,
    /// which never gain handles from zero).
    pub(crate) fn handle_count(&self) -> usize {
        self.handles.load(Ordering::Relaxed) & COUNT
    }

    /// Payload nodes, under the list lock, when claimed (unlinked for good):
    /// from now on its last handle frees it without the lock (`release`).
    pub(crate) fn mark_detached(&self, _locked: &mut State) {
        debug_assert_ne!(self.kind(), Kind::Shared);
        // Relaxed: the handles that see the flag synchronise through their
        // own Release/Acquire decrements; the flag only says no lock is
        // needed to free a node nothing can reach any more.
        self.handles.fetch_or(DETACHED, Ordering::Relaxed);
    }

    /// Payload nodes, under the list lock, at the referent's death: takes
    /// one more handle for the clearing and marks the node claimed
    /// ([`mark_detached`](Node::mark_detached)) in one step, if it still has
    /// a handle; fails once its handle count has reached zero.
    pub(crate) fn try_acquire_detaching(&self, _locked: &mut State) -> bool {
        debug_assert_ne!(self.kind(), Kind::Shared);
        let mut n = self.handles.load(Ordering::Relaxed);
        loop {
            if n & COUNT == 0 {
                return false;
            }
            check_count(n);
            // Acquire, as `try_acquire`; the flag as in `mark_detached`.
            match self.handles.compare_exchange_weak(
                n,
                (n + 1) | DETACHED,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => n = actual,
            }
        }
    }

    /// Shared nodes only, under the list lock: revive a node whose handles
    /// all dropped, as a fresh weak reference object with one handle.
    pub(crate) fn reset_handles(&self, _locked: &mut State) {
        self.hash.reset();
        // Release: a lock-free `try_acquire` that sees the count pairs with it
        // and sees the reset hash cache.
        self.handles.store(1, Ordering::Release);
    }

    /// The lock-protected fields. `state` is the locked state of this node's
    /// own list, which makes the access exclusive.
    #[allow(clippy::mut_from_ref)] // exclusivity comes from `state`, not `self`
    pub(crate) fn links<'a>(&'a self, state: &'a mut State) -> &'a mut Links {
        debug_assert!(state.belongs_to(self.list));
        self.links.with_mut(|links| {
            // SAFETY: `links` is only accessed through this function, which
            // requires the locked state of the node's list, borrowed mutably
            // for as long as the returned reference lives: no other access to
            // any node's links of this list can exist meanwhile.
            unsafe { &mut *links }
        })
    }
}

/// The flag in `Node::handles` of a claimed payload node (by the death's
/// clearing or by `claim`): it is unlinked for good, so no list traversal can
/// reach it and, once it has one handle, nothing can give it another. Its
/// last handle then frees it without taking the list lock: an object life
/// with a callback takes one lock fewer.
const DETACHED: usize = 1 << (usize::BITS - 2);

/// The handle count in `Node::handles`.
const COUNT: usize = DETACHED - 1;

/// Aborts on a handle count that could overflow into the flag, as `Arc`
/// does: only reachable by leaking handles (`mem::forget`) about 2^61 times.
fn check_count(n: usize) {
    if n & COUNT > COUNT / 2 {
        std::process::abort();
    }
}

struct VTableFor<P>(core::marker::PhantomData<P>);

impl<P: Payload> VTableFor<P> {
    const VTABLE: VTable = VTable {
        kind: P::KIND,
        payload_type: core::any::TypeId::of::<P>,
        fire: fire::<P>,
        free: P::FREE,
    };
}

/// Runs the payload of `node` with `handle`.
///
/// # Safety
/// `node` was allocated by `Node::alloc::<P>`, and `handle` is the
/// [`Claimed`] handle of it: no other thread takes its payload, and `free`
/// cannot run before `handle` drops.
unsafe fn fire<P: Payload>(node: NonNull<Node>, handle: Handle) {
    // SAFETY: forwarded caller contract.
    if let Some(payload) = unsafe { take::<P>(node) } {
        payload.run(handle);
    }
}

/// Takes the payload out of `node` (`None` if it was taken before).
///
/// # Safety
/// `node` was allocated by `Node::alloc::<P>`, the caller owns a handle to it
/// (so `free` cannot run meanwhile), and it is the node's one claimer
/// ([`Claimed`]): no other thread takes the payload.
unsafe fn take<P: Payload>(node: NonNull<Node>) -> Option<P> {
    let node = node.cast::<PayloadNode<P>>();
    // SAFETY: `node` came from `alloc::<P>` (caller contract), and the
    // allocation is live: the caller's handle counts as an owner.
    let payload_cell = unsafe { &node.as_ref().payload };
    payload_cell.with_mut(|payload| {
        // SAFETY: exclusive access: only the claimer takes the payload, and
        // `free` (the only other access) runs after the last handle is gone.
        unsafe { (*payload).take() }
    })
}

/// Frees a node allocated by `Node::alloc::<P>`.
///
/// # Safety
/// `node` came from `Node::alloc::<P>`, has no handles, is not linked, and
/// nothing will use the pointer again.
unsafe fn free<P: Payload>(node: NonNull<Node>) {
    // SAFETY: the pointer came from `Box::leak` of a `Box<PayloadNode<P>>`
    // (caller contract) and is not used again.
    drop(unsafe { Box::from_raw(node.cast::<PayloadNode<P>>().as_ptr()) });
}

/// `Payload::FREE` of pooled payloads: takes the payload out of `node` and
/// gives it `node`'s allocation to keep (`keep`: into its pool) or, if it
/// declines or has no payload any more (it ran), frees it.
///
/// # Safety
/// As for `free`: `node` came from `Node::alloc::<P>` (or `alloc_reusing`),
/// has no handles, is not linked, and the caller will not use it again.
pub(crate) unsafe fn free_into_pool<P: Payload>(
    node: NonNull<Node>,
    keep: impl FnOnce(&P, NonNull<Node>) -> bool,
) {
    let typed = node.cast::<PayloadNode<P>>();
    // SAFETY: the allocation is live and nothing else can reach it (no
    // handles, not linked: caller contract), so this access is exclusive.
    let payload_cell = unsafe { &typed.as_ref().payload };
    let payload = payload_cell.with_mut(|payload| {
        // SAFETY: exclusive, as above.
        unsafe { (*payload).take() }
    });
    match payload {
        Some(payload) => {
            if !keep(&payload, node) {
                // SAFETY: declined: ours to free, as `free::<P>` does.
                unsafe { free::<P>(node) };
            }
            // Dropped after the allocation was handed over: it may hold the
            // pool's last reference, whose drop frees what the pool kept.
            drop(payload);
        }
        // SAFETY: forwarded caller contract.
        None => unsafe { free::<P>(node) },
    }
}

/// The next node of a pool's free stack, stored in a free node's links
/// (nothing else touches a free node's links).
///
/// # Safety
/// `node` is a free node held by a pool (no handles, not linked, the pool's
/// alone), and a live allocation.
pub(crate) unsafe fn set_free_next(node: NonNull<Node>, next: Option<NonNull<Node>>) {
    // SAFETY: a live allocation (caller contract).
    let links = unsafe { &node.as_ref().links };
    links.with_mut(|links| {
        // SAFETY: the pool's alone: exclusive.
        unsafe { (*links).next = next.map(NodePtr) };
    });
}

/// The next node after `node` in a pool's free stack.
///
/// # Safety
/// As for [`set_free_next`], and only the pool's one consumer reads it.
pub(crate) unsafe fn free_next(node: NonNull<Node>) -> Option<NonNull<Node>> {
    // SAFETY: a live allocation (caller contract).
    let links = unsafe { &node.as_ref().links };
    links.with_mut(|links| {
        // SAFETY: written by the pusher before its Release publication,
        // which the consumer's Acquire load of the stack head saw.
        unsafe { (*links).next.map(|next| next.0) }
    })
}

/// The payload of `node`, if it is a `P` node: for a pool, over a node it
/// reclaimed ([`Handle::cancel_reclaiming`]) or kept.
///
/// # Safety
/// `node` is a live allocation made by `Node::alloc` (of any payload type)
/// with no handles and not linked, exclusively the caller's for `'a`.
pub(crate) unsafe fn kept_payload<'a, P: Payload>(node: NonNull<Node>) -> Option<&'a mut P> {
    // SAFETY: a live allocation (caller contract).
    let node_ref = unsafe { node.as_ref() };
    if (node_ref.vtable.payload_type)() != core::any::TypeId::of::<P>() {
        return None;
    }
    let typed = node.cast::<PayloadNode<P>>();
    // SAFETY: the vtable says the allocation is a `PayloadNode<P>` (only
    // `alloc::<P>` sets that vtable), live and exclusively ours for `'a`.
    let payload_cell = unsafe { &typed.as_ref().payload };
    payload_cell.with_mut(|payload| {
        // SAFETY: exclusive, as above: nothing else reaches the node.
        unsafe { (*payload).as_mut() }
    })
}

/// Frees a node a pool kept, when the pool goes.
///
/// # Safety
/// `node` came from `Node::alloc::<P>`, has no handles, is not linked, and
/// is exclusively the caller's. A payload still in it is dropped.
pub(crate) unsafe fn free_pooled_node<P: Payload>(node: NonNull<Node>) {
    // SAFETY: forwarded caller contract.
    unsafe { free::<P>(node) }
}

/// Frees a shared node when its list is freed.
///
/// # Safety
/// As for `free`: an allocation of `Node::alloc`, no handles, never used again.
pub(crate) unsafe fn free_node(node: NonNull<Node>) {
    // SAFETY: the vtable was set by `alloc` for this allocation's payload type;
    // the node is live until `free` below.
    let free = unsafe { node.as_ref().vtable.free };
    // SAFETY: forwarded caller contract.
    unsafe { free(node) }
}

/// One counted owner of a node: the identity of a weak reference object.
#[derive(Debug)]
pub(crate) struct Handle(NodePtr);

/// The handle of a payload node that has been claimed — by the referent's
/// death (`List::detach_all`, which unlinks it and takes this handle under
/// the list lock) or by [`Handle::claim`]: the one holder allowed to run or
/// take its payload. Each node is claimed at most once.
#[derive(Debug)]
pub(crate) struct Claimed(Handle);

impl Claimed {
    /// The claimer of the node of `handle`.
    ///
    /// # Safety
    /// The caller claimed the node under its list's lock (unlinked it while
    /// taking `handle`, or parked count adopted), and no other `Claimed`
    /// for it exists or will.
    pub(crate) unsafe fn new(handle: Handle) -> Claimed {
        Claimed(handle)
    }

    /// Runs the payload, giving it the node's handle.
    pub(crate) fn fire(self) {
        let handle = self.0;
        let ptr = handle.ptr();
        let fire = handle.node().vtable.fire;
        // SAFETY: `Claimed` is the node's one claimer (see its docs), so this
        // is the one call of `fire` for it; the vtable matches the allocation.
        unsafe { fire(ptr, handle) }
    }

    /// Takes the payload out without running it, if it is a `P`.
    pub(crate) fn take_payload<P: Payload>(self) -> Option<P> {
        let handle = self.0;
        if (handle.node().vtable.payload_type)() != core::any::TypeId::of::<P>() {
            return None;
        }
        // SAFETY: the node holds a `P` (its vtable says so, and `alloc::<P>`
        // is the only way to get that vtable); `Claimed` is its one claimer,
        // and `handle` keeps it allocated until the end of this function.
        unsafe { take::<P>(handle.ptr()) }
    }
}

impl Handle {
    /// Adopts one already-counted handle of `node`.
    ///
    /// # Safety
    /// The caller took one count of `node.handles` (by `alloc`, `try_acquire`
    /// or `reset_handles`) that this handle now owns.
    pub(crate) unsafe fn adopt(node: NonNull<Node>) -> Handle {
        Handle(NodePtr(node))
    }

    pub(crate) fn ptr(&self) -> NonNull<Node> {
        self.0.0
    }

    /// The node's list, alive for as long as this handle is borrowed.
    fn list(&self) -> ListRef<'_> {
        // SAFETY: a payload node owns a count of its list until it is freed,
        // after its last handle; a shared node with a handle (this one)
        // holds one through `holds_list`.
        unsafe { ListRef::new(self.node().list) }
    }

    pub(crate) fn node(&self) -> &Node {
        // SAFETY: this handle owns a count, so the node is not freed (payload
        // nodes are freed after their last handle; shared nodes with their
        // list, which a shared node with handles keeps alive).
        unsafe { self.0.0.as_ref() }
    }

    /// Cancels the payload: if the referent's death has not claimed the
    /// node yet, it never will. Returns whether this call cancelled it.
    /// `dead` tells whether the referent's strong count is zero; it is asked
    /// under the list lock, where its answer orders this call against the
    /// death's clearing (which needs that lock).
    pub(crate) fn cancel(self, dead: Probe<'_>) -> bool {
        let (cancelled, freed) = self.cancel_reclaiming(dead);
        if let Some(node) = freed {
            // SAFETY: `cancel_reclaiming` gave the node's allocation back to
            // us: no handles, unlinked, nothing else can reach it. A payload
            // that never ran is dropped here, outside the list lock.
            unsafe { free_node(node) };
        }
        cancelled
    }

    /// [`cancel`](Handle::cancel), except that a payload node this call
    /// unlinks (its last handle) is given back instead of freed: its
    /// allocation and payload (cancelled, or already run) are the caller's
    /// to reuse or free (a pool keeps its own; `free_node` frees it). The
    /// list's count it held is given up.
    pub(crate) fn cancel_reclaiming(self, dead: Probe<'_>) -> (bool, Option<NonNull<Node>>) {
        let node = self.node();
        if node.kind() == Kind::Shared {
            self.release(dead);
            return (false, None);
        }
        // SAFETY: a payload node owns a count of its list while it is alive,
        // and this handle keeps it alive. (Not `self.list()`: `self` is
        // given up under the lock, below.)
        let list = unsafe { ListRef::new(node.list) };
        let mut state = list.lock();
        // Dead now: the death came first, and its callbacks are fixed (the
        // clearing will claim this node, or already has). Alive now: the
        // clearing has not run (it needs this lock) and will see the mark.
        let referent_dead = dead();
        let links = node.links(&mut state);
        let cancelled = !referent_dead && links.linked && !links.cancelled;
        links.cancelled |= cancelled;
        // Give this handle up under the same lock: one lock for the usual
        // "remove an entry" path instead of two.
        let ptr = self.ptr();
        core::mem::forget(self);
        let after = give_up_locked(ptr, &mut state, dead);
        (cancelled, after.finish(state, ptr, dead))
    }

    /// Drops this handle. `dead` tells whether the referent's strong count
    /// is zero; it is asked only if this may be the last handle, under the
    /// list lock: the last handle of a payload node whose referent died but
    /// was not cleared yet is parked in the list, so the death still runs
    /// the payload (see `Links::parked`).
    pub(crate) fn release(self, dead: Probe<'_>) {
        let ptr = self.ptr();
        core::mem::forget(self);
        release(ptr, dead);
    }

    /// Claims the payload now, as the referent's death would: if neither the
    /// death nor `cancel` nor an earlier `claim` got it, the node is marked
    /// cancelled and unlinked under the list lock (no longer counted, listed,
    /// or claimable), and this handle's clone comes back as its claimer.
    /// `finalize`'s `call` and `detach`.
    pub(crate) fn claim(&self) -> Option<Claimed> {
        let node = self.node();
        if node.kind() == Kind::Shared {
            return None;
        }
        let mut state = self.list().lock();
        let links = node.links(&mut state);
        if !links.linked || links.cancelled {
            return None;
        }
        links.cancelled = true;
        state.unlink(node);
        node.mark_detached(&mut state);
        drop(state);
        // Made under the lock's decision: the one claimer of this node.
        Some(Claimed(self.clone()))
    }

    /// Whether the payload is still armed: no death, `cancel` or `claim` has
    /// taken it (`Finalize::alive`).
    pub(crate) fn is_armed(&self) -> bool {
        let node = self.node();
        let mut state = self.list().lock();
        let links = node.links(&mut state);
        links.linked && !links.cancelled
    }
}

impl Clone for Handle {
    fn clone(&self) -> Self {
        // Relaxed: a new owner is made from an existing one, which already
        // keeps the node alive (as `Arc::clone`).
        let old = self.node().handles.fetch_add(1, Ordering::Relaxed);
        check_count(old);
        Handle(self.0)
    }
}

impl Drop for Handle {
    /// Gives up one handle; the last one unlinks the node (it is no longer
    /// counted or listed, and its payload will never run) and frees it.
    ///
    /// A shared node can be revived (zero handles to one) by `List::shared`
    /// under the list lock, so the last handle is given up under the lock:
    /// the 1 -> 0 transition and the unlinking it causes are one step for
    /// every other lock holder, and each life of a node is unlinked exactly
    /// once. Other drops are one compare-and-swap, as `Arc::drop`.
    fn drop(&mut self) {
        release(self.0.0, &|| false);
    }
}

/// Asks whether the referent's strong count is zero: whether it died (or
/// its value left its `Arc`), even if its header has not cleared its weak
/// references yet. Asked under the list lock, never stored: a stale answer
/// is what loses callbacks (an "alive" read before another thread's death).
pub(crate) type Probe<'a> = &'a dyn Fn() -> bool;

/// Gives up one handle of `node` (see `Handle::drop` and `Handle::release`).
fn release(node: NonNull<Node>, dead: Probe<'_>) {
    // SAFETY: the caller owns a handle, given up here, so the node is alive.
    let node_ref = unsafe { node.as_ref() };
    let mut n = node_ref.handles.load(Ordering::Relaxed);
    while n & COUNT > 1 {
        // Release: every use of the node through this handle happens
        // before the node is unlinked and freed (as `Arc::drop`).
        match node_ref
            .handles
            .compare_exchange_weak(n, n - 1, Ordering::Release, Ordering::Relaxed)
        {
            Ok(_) => return,
            Err(actual) => n = actual,
        }
    }
    if n & DETACHED != 0 {
        // The last handle of a claimed node: unlinked for good, and nothing
        // can give it another handle (see `DETACHED`), so nobody else can
        // reach it, with or without the list lock. Acquire: every other
        // handle's uses (their Release decrements) happen before the free.
        node_ref.handles.load(Ordering::Acquire);
        // SAFETY: the node's count of its list, given up once, before the
        // node is freed, so a payload whose drop panics cannot leak the
        // list (outside review, failure 8); the node no longer uses it.
        unsafe { List::release(node_ref.list) };
        // SAFETY: its last handle (ours) is gone and nothing can give it
        // another or reach it: ours to free. A payload that never ran is
        // dropped here, with no lock held.
        unsafe { free_node(node) };
        return;
    }
    last_handle_dropped(node, dead);
}

/// Gives up what may be the last handle of `node`, under its list's lock.
#[cold]
fn last_handle_dropped(node: NonNull<Node>, dead: Probe<'_>) {
    // SAFETY: we still own a handle: a payload node is freed only after its
    // last handle, a shared node only with its list, which it keeps alive.
    let node_ref = unsafe { node.as_ref() };
    // SAFETY: a payload node owns a count of its list until it is freed; a
    // shared node with a handle (ours) holds one through `holds_list`.
    let list_ref = unsafe { ListRef::new(node_ref.list) };
    let mut state = list_ref.lock();
    let after = give_up_locked(node, &mut state, dead);
    if let Some(node) = after.finish(state, node, dead) {
        // SAFETY: a payload node with no handles (payload nodes never gain
        // handles from zero), unlinked by `give_up_locked` or by the
        // referent's death (which then did not claim it): nothing can reach
        // it any more. A payload that never ran is dropped here, outside the
        // list lock, since it is user code.
        unsafe { free_node(node) };
    }
}

/// Gives up one handle of `node` with its list's lock held (`state`); if it
/// was the last, unlinks the node. What must go with or after the unlock
/// (giving up a count of the list, freeing the node) is returned, not done
/// here: the lock lives in the list, which that may free.
///
/// Only the last handle is given up here, by one compare-and-swap from one,
/// never by a read followed by a decrement: other handles may be given up
/// lock-free (n -> n - 1 for n > 1) at any moment, and a "not last" read
/// followed by a decrement that turns out to be the last one would free the
/// node silently (outside review, failure 2). A handle that is not the last
/// is given up after the unlock (`AfterUnlock::GiveUp`).
fn give_up_locked(node: NonNull<Node>, state: &mut State, dead: Probe<'_>) -> AfterUnlock {
    // SAFETY: the caller owns a handle (given up below), so the node is alive.
    let node_ref = unsafe { node.as_ref() };
    // Acquire (here and on a failed exchange): synchronises with the Release
    // decrements of the handles given up before, so what their holders saw
    // happens before our probe. A holder that saw the referent dead and then
    // gave up its handle lock-free makes our `dead()` see it dead too (read
    // coherence); with Relaxed, a stale "alive" would free the node and lose
    // the callback (found by the loom model of this race).
    let n = node_ref.handles.load(Ordering::Acquire);
    if n & COUNT > 1 {
        // Not the last handle: give it up after the lock is released, never
        // under it. Once our handle is gone another thread may free the
        // node, its list and the list's lock without taking the lock (the
        // last handle of a `DETACHED` node does), while we would still be
        // unlocking it (found by Miri with preemption).
        return AfterUnlock::GiveUp;
    }
    // The last handle. A payload node gains handles only from an existing
    // handle or under this lock, so at one it is ours alone and stays so
    // while we hold the lock. (Shared nodes are revived lock-free; they have
    // no payload to park and go through the compare-and-swap.)
    if node_ref.kind() != Kind::Shared {
        let links = node_ref.links(state);
        if links.linked && !links.cancelled && dead() {
            // The referent died but the header has not cleared the list
            // yet: the callbacks to run were fixed at the death, so this
            // one must still run. The list keeps our count; clearing
            // claims it. If the value only left its `Arc`, the header
            // may be re-wrapped, even at the same address once the old
            // allocation is freed: mark the list stale so the next use
            // of the header re-homes it (DESIGN 9b).
            links.parked = true;
            // SAFETY: a payload node owns a count of its list.
            unsafe { node_ref.list.as_ref() }.mark_stale();
            return AfterUnlock::Nothing;
        }
    }
    if node_ref.kind() != Kind::Shared {
        // Ours alone at one (see above): a store, not a read-modify-write.
        // Release as in `release`; the Acquire load above already saw every
        // other handle's uses.
        node_ref.handles.store(n - 1, Ordering::Release);
        state.unlink(node_ref);
        return AfterUnlock::Release { free: Some(node) };
    }
    // AcqRel: Release as in `release`; Acquire sees every other handle's
    // uses before the unlink. Fails only for a shared node revived
    // lock-free meanwhile: then ours is not the last handle.
    if node_ref
        .handles
        .compare_exchange(n, n - 1, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return AfterUnlock::GiveUp;
    }
    state.unlink(node_ref);
    if core::mem::replace(&mut node_ref.links(state).holds_list, false) {
        return AfterUnlock::Release { free: None };
    }
    AfterUnlock::Nothing
}

/// What the last handle of a node does with, and after, the unlock of its
/// list.
#[must_use]
enum AfterUnlock {
    Nothing,
    /// Not the last handle: give it up lock-free once the lock is released
    /// (which may find it the last after all, and lock again).
    GiveUp,
    /// Give up one count of the list with the unlock (the payload node's
    /// own, or the shared node's `holds_list`), then free the payload node,
    /// if any.
    Release {
        free: Option<NonNull<Node>>,
    },
}

impl AfterUnlock {
    /// Releases `state` (the lock of `node`'s list) as this says, and
    /// returns the payload node to free, if any: with no handles, unlinked,
    /// unreachable, the caller's alone. `node` and `dead` are the handle's,
    /// for `GiveUp`.
    fn finish(
        self,
        state: Locked<'_>,
        node: NonNull<Node>,
        dead: Probe<'_>,
    ) -> Option<NonNull<Node>> {
        match self {
            AfterUnlock::Nothing => None,
            AfterUnlock::GiveUp => {
                drop(state);
                // The handle is still ours: give it up as any drop does.
                release(node, dead);
                None
            }
            AfterUnlock::Release { free } => {
                // SAFETY: the freed payload node's count of the list, or the
                // shared node's `holds_list` count, given up exactly once and
                // with the unlock, so no other owner can free the list while
                // we still unlock it; nothing uses the list afterwards (an
                // unlinked node no longer does). Given up before the node is
                // freed, so a payload whose drop panics cannot leak the list
                // (outside review, failure 8).
                unsafe { state.unlock_releasing() };
                free
            }
        }
    }
}

#[cfg(all(test, target_pointer_width = "64", not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// The sizes the issue note and BENCHMARKS.md report (64-bit targets).
    #[test]
    fn node_sizes() {
        assert_eq!(size_of::<Handle>(), 8);
        assert_eq!(size_of::<Node>(), 64);
        // A shared node: the node and an empty payload slot.
        assert_eq!(size_of::<PayloadNode<NoPayload>>(), 72);
        // A callback capturing one `Arc` (a closure of one pointer).
        let captured = Arc::new(());
        let payload = Callback(move |_: Handle| drop(captured));
        assert_eq!(size_of_val(&payload), 8);
        assert_eq!(size_of::<PayloadNode<Callback<Arc<()>>>>(), 72);
        // A boxed `dyn` callback (two pointers).
        assert_eq!(
            size_of::<PayloadNode<Callback<Box<dyn FnOnce(Handle) + Send>>>>(),
            80
        );
    }
}
