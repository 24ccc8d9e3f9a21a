//! A referent's list of weak reference objects (CPython's `tp_weaklist`).
//!
//! A [`List`] is allocated the first time an object is weakly referenced and
//! pointed to by the object's [`Header`](crate::Header). It holds:
//! - the two shared, callback-less nodes (`Ref::new`, `proxy`) in lock-free
//!   slots, so reusing them costs one compare-and-swap and no lock;
//! - under its lock, an intrusive doubly linked list of the nodes with a
//!   payload (callbacks and dictionary hooks), newest first, which is the
//!   order `getweakrefs` lists them and callbacks run.
//!
//! The list is reference counted by hand: the header holds one count, each
//! payload node one, and each shared node one while it has handles. The
//! count and the lock share one word ([`ListLock`]), so a critical section
//! that ends by taking or giving up a count unlocks in the same step. When
//! the referent dies, [`List::die`] detaches every node at once under the
//! lock (clearing), and only then, with no lock held, hooks and callbacks
//! run.

use core::fmt;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};
use core::ptr::{self, NonNull};

use crate::callback::Detached;
use crate::list_lock::ListLock;
use crate::node::{Claimed, Handle, Kind, NoPayload, Node, NodePtr, Payload, Slot, free_node};
use crate::sync::{AtomicPtr, AtomicUsize, Ordering, UnsafeCell};

/// The weak reference objects of one referent.
pub(crate) struct List {
    /// Owners (the header, each payload node, each shared node with
    /// handles) and the lock of `state`, in one word.
    word: ListLock,
    /// Address of the header this list belongs to. A header that moved with
    /// its value out of its `Arc` finds a different address here and treats
    /// the list's nodes as dead (DESIGN 9b, [`ListRef::rehome`]).
    owner: AtomicUsize,
    /// The shared ref (`Slot::Ref`) and proxy (`Slot::Proxy`), or null.
    /// Written under the lock; read lock-free. A node in a slot stays
    /// allocated until the list is freed (see `State::owned`).
    shared: [AtomicPtr<Node>; 2],
    /// Only touched through [`Locked`], while `word` is locked.
    state: UnsafeCell<State>,
}

impl fmt::Debug for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List")
            .field("owners", &self.word.count())
            .field("owner", &self.owner.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The locked state of a list: its [`State`], while the lock is held.
/// Dropping it unlocks; [`unlock_acquiring`](Locked::unlock_acquiring) and
/// [`unlock_releasing`](Locked::unlock_releasing) also take or give up one
/// count of the list in the same atomic step.
///
/// The locker owns a count of the list for as long as it holds the lock.
pub(crate) struct Locked<'a> {
    /// The pointer the list was allocated with (from its `ListRef`), not
    /// `&List`: once `unlock_releasing` has given up its count, another
    /// owner may free the list while this guard is still being consumed
    /// (as `Arc::drop` holds no reference across its decrement), and the
    /// last owner frees it through this pointer.
    list: NonNull<List>,
    _borrow: PhantomData<&'a List>,
}

impl Locked<'_> {
    fn word(&self) -> &ListLock {
        // SAFETY: the locker owns a count (see `Locked`), so the list is
        // alive while the lock is held.
        unsafe { &self.list.as_ref().word }
    }

    /// Unlocks and takes one more count of the list, in one step: for a
    /// node linked under this lock, which will own that count.
    pub(crate) fn unlock_acquiring(self) {
        let this = ManuallyDrop::new(self);
        this.word().unlock_acquiring();
    }

    /// Unlocks and gives up one count of the list, in one step; frees the
    /// list if that was the last count.
    ///
    /// # Safety
    /// The caller owns one count of the list besides the one that lets it
    /// lock (or that is the one), gives it up here, and does not use the
    /// list afterwards unless it owns another.
    pub(crate) unsafe fn unlock_releasing(self) {
        let this = ManuallyDrop::new(self);
        let list = this.list;
        if this.word().unlock_releasing() {
            // SAFETY: that was the last count: nothing else can reach the
            // list, and we do not use it again.
            unsafe { List::free(list) };
        }
    }

    /// The state, reachable only through a `Locked` (the lock is held).
    fn state(&self) -> *mut State {
        // SAFETY: the list is alive (see `word`).
        let cell = unsafe { &self.list.as_ref().state };
        cell.with_mut(|state| state)
    }
}

impl Deref for Locked<'_> {
    type Target = State;

    fn deref(&self) -> &State {
        // SAFETY: the lock is held for as long as `self` is borrowed, and the
        // state is only reached through a `Locked`: no `&mut` to it exists
        // while this shared borrow of `self` does.
        unsafe { &*self.state() }
    }
}

impl DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut State {
        // SAFETY: the lock is held and `self` is borrowed mutably for as
        // long as the result lives: the only access to the state.
        unsafe { &mut *self.state() }
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        self.word().unlock();
    }
}

/// The part of a [`List`] protected by its lock.
#[derive(Debug)]
pub(crate) struct State {
    /// Address of the list, to check that node links are reached through
    /// their own list's lock.
    list: usize,
    /// Newest payload node.
    head: Option<NodePtr>,
    /// The shared node allocated for each slot, and in `retired` those a
    /// re-homing swapped out of their slot. All are freed with the list, never
    /// before: a lock-free reader of a slot may still hold the address of a
    /// node that was swapped out. (Two fields, so the common case allocates
    /// no vector.)
    owned: [Option<NodePtr>; 2],
    retired: Vec<NodePtr>,
}

/// `&List` for a list whose count is held by someone for `'a` (a header
/// borrowed for `'a`), keeping the raw pointer the list was allocated with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ListRef<'a> {
    ptr: NonNull<List>,
    _borrow: PhantomData<&'a List>,
}

impl Deref for ListRef<'_> {
    type Target = List;

    fn deref(&self) -> &List {
        // SAFETY: `ListRef::new`'s contract: the list is alive for `'a`.
        unsafe { self.ptr.as_ref() }
    }
}

/// A node that is linked, or in a slot, of a list whose lock the caller
/// holds; such a node is allocated (payload nodes are freed only after being
/// unlinked under that lock; shared nodes only with the list).
///
/// # Safety
/// `ptr` is linked in, or in a slot of, a list whose lock is held for `'n`.
unsafe fn linked<'n>(ptr: NodePtr) -> &'n Node {
    // SAFETY: see the contract above.
    unsafe { ptr.0.as_ref() }
}

impl List {
    /// A new list owned by the header at `owner`, with the header's count.
    pub(crate) fn alloc(owner: usize) -> NonNull<List> {
        let list = Box::new(List {
            word: ListLock::new(),
            owner: AtomicUsize::new(owner),
            shared: [
                AtomicPtr::new(ptr::null_mut()),
                AtomicPtr::new(ptr::null_mut()),
            ],
            state: UnsafeCell::new(State {
                list: 0,
                head: None,
                owned: [None, None],
                retired: Vec::new(),
            }),
        });
        let address = ptr::from_ref::<List>(&list) as usize;
        list.state.with_mut(|state| {
            // SAFETY: not shared yet: this access is exclusive.
            unsafe { (*state).list = address };
        });
        NonNull::from(Box::leak(list))
    }

    pub(crate) fn owner(&self) -> usize {
        // Acquire: pairs with the Release store in `rehome`, so a caller that
        // sees its own address also sees the slots that `rehome` cleared.
        self.owner.load(Ordering::Acquire)
    }

    /// A handle saw the referent dead before the header cleared the list: if
    /// the value only left its `Arc`, it may be wrapped again, even at the
    /// same address once the old allocation is freed (the parked handle's
    /// `Weak` was what kept it). No header address matches zero, so the next
    /// use of the header through an `Arc` re-homes the list
    /// ([`ListRef::rehome`]), which runs the parked callbacks; the header's
    /// drop clears the list whatever its owner.
    pub(crate) fn mark_stale(&self) {
        // Release: pairs with `List::owner`'s Acquire. A header re-wrapped at
        // the same address reads zero: its allocation could only be reused
        // after the parked handle's `Weak` (dropped after this store) went.
        self.owner.store(0, Ordering::Release);
    }

    /// Gives up one count; frees the list (and its shared nodes) on the last.
    ///
    /// # Safety
    /// The caller owns one count of `list` and does not use it afterwards
    /// unless it owns another.
    pub(crate) unsafe fn release(list: NonNull<List>) {
        // SAFETY: the caller's count keeps the list alive until this decrement.
        let last = unsafe { list.as_ref() }.word.release();
        if last {
            // SAFETY: that was the last count: nothing else can reach the list.
            unsafe { List::free(list) };
        }
    }

    /// Frees the list.
    ///
    /// # Safety
    /// Its last count was given up (nothing can reach it), and the pointer
    /// is not used again.
    unsafe fn free(list: NonNull<List>) {
        // SAFETY: caller contract; the pointer came from `Box::leak` in
        // `alloc`.
        drop(unsafe { Box::from_raw(list.as_ptr()) });
    }

    /// The referent died (its header is being dropped): clear every weak
    /// reference object, give up the header's count, then run hooks and
    /// callbacks with no lock held.
    ///
    /// # Safety
    /// The caller owns the header's count of `list`, and gives it up.
    pub(crate) unsafe fn die(list: NonNull<List>) {
        // SAFETY: the header's count keeps the list alive until released.
        let list_ref = unsafe { ListRef::new(list) };
        let mut state = list_ref.lock();
        let detached = state.detach_all(&list_ref);
        // SAFETY: the header's count, given up once, with the unlock; the
        // list is not used again. Claimed nodes hold their own counts.
        unsafe { state.unlock_releasing() };
        detached.run();
    }
}

impl Drop for List {
    fn drop(&mut self) {
        // The last count is gone: nobody else can reach the list to lock it.
        let state = self.state.with_mut(|state| {
            // SAFETY: `&mut self`: this access is exclusive.
            unsafe { &mut *state }
        });
        debug_assert!(state.head.is_none(), "payload nodes keep their list alive");
        let owned = state.owned.iter_mut().filter_map(Option::take);
        for node in owned.chain(state.retired.drain(..)) {
            // SAFETY: the list's last count is gone, so no shared node has a
            // handle (each would hold a count) and no reader can reach a slot.
            unsafe { free_node(node.0) };
        }
    }
}

impl<'a> ListRef<'a> {
    /// # Safety
    /// `ptr` came from `List::alloc` and one of its counts is held for `'a`.
    pub(crate) unsafe fn new(ptr: NonNull<List>) -> Self {
        Self {
            ptr,
            _borrow: PhantomData,
        }
    }

    /// Locks the list's state, for as long as the count held for `'a`.
    /// The guard keeps the pointer the list was allocated with, so freeing
    /// the list through it (`Locked::unlock_releasing`) never depends on a
    /// pointer derived from a shared reference.
    pub(crate) fn lock(self) -> Locked<'a> {
        self.word.lock();
        Locked {
            list: self.ptr,
            _borrow: PhantomData,
        }
    }

    /// A handle to the shared node of `slot`, made or reused.
    ///
    /// The caller checked that the list belongs to its header (`owner`).
    #[inline]
    pub(crate) fn shared(self, slot: Slot) -> Handle {
        // Acquire: pairs with the Release store that published the node.
        if let Some(node) = NonNull::new(self.shared[slot as usize].load(Ordering::Acquire)) {
            // SAFETY: a node that was ever in a slot is freed only with the
            // list, which is alive for `'a`.
            let node_ref = unsafe { node.as_ref() };
            if node_ref.try_acquire() {
                // SAFETY: `try_acquire` took the count the handle owns.
                return unsafe { Handle::adopt(node) };
            }
        }
        self.shared_slow(slot)
    }

    #[cold]
    fn shared_slow(self, slot: Slot) -> Handle {
        let mut state = self.lock();
        if let Some(node) = NonNull::new(self.shared[slot as usize].load(Ordering::Relaxed)) {
            // SAFETY: in a slot of this list, whose lock we hold.
            let node_ref = unsafe { linked(NodePtr(node)) };
            if !node_ref.try_acquire() {
                // Its last handle was dropped under this lock, so the node was
                // unlinked and gave up its count: revive it as a new object.
                let links = node_ref.links(&mut state);
                debug_assert!(!links.linked && !links.holds_list);
                links.linked = true;
                links.holds_list = true;
                node_ref.reset_handles(&mut state);
                // The count `holds_list` stands for, taken with the unlock.
                state.unlock_acquiring();
            }
            // SAFETY: `try_acquire` or `reset_handles` took the handle's count.
            return unsafe { Handle::adopt(node) };
        }
        let node = Node::alloc::<NoPayload>(self.ptr, None);
        if let Some(old) = state.owned[slot as usize].replace(NodePtr(node)) {
            state.retired.push(old);
        }
        // SAFETY: just allocated and recorded in this list.
        let node_ref = unsafe { linked(NodePtr(node)) };
        let links = node_ref.links(&mut state);
        links.linked = true;
        links.holds_list = true;
        // Release: publishes the initialised node to lock-free readers.
        self.shared[slot as usize].store(node.as_ptr(), Ordering::Release);
        // The count `holds_list` stands for, taken with the unlock. (A
        // reader may take a handle of the node before that, but its last
        // handle gives the count up only under this lock.)
        state.unlock_acquiring();
        // SAFETY: `alloc` made the node with one handle, owned by this one.
        unsafe { Handle::adopt(node) }
    }

    /// Registers a new node with a payload (callback or hook), newest first.
    pub(crate) fn register<P: Payload>(self, payload: P) -> Handle {
        // SAFETY: no allocation to reuse.
        unsafe { self.register_reusing(payload, None) }
    }

    /// [`register`](ListRef::register), in the allocation `recycled` if any.
    ///
    /// # Safety
    /// As for `Node::alloc_reusing`: `recycled` is a kept allocation of a
    /// `P` node, exclusively the caller's.
    pub(crate) unsafe fn register_reusing<P: Payload>(
        self,
        payload: P,
        recycled: Option<NonNull<Node>>,
    ) -> Handle {
        // SAFETY: forwarded caller contract.
        let node = unsafe { Node::alloc_reusing(self.ptr, payload, recycled) };
        let mut state = self.lock();
        state.push_front(NodePtr(node));
        // The count the node owns, taken with the unlock (we hold one, so
        // the list is alive meanwhile).
        state.unlock_acquiring();
        // SAFETY: `alloc_reusing` made the node with one handle, owned by
        // this one.
        unsafe { Handle::adopt(node) }
    }

    /// [`register`](ListRef::register) in `kept`, a node its pool kept with
    /// its `P` payload in place (already updated by the pool).
    ///
    /// # Safety
    /// As for `Node::renew`: `kept` is a `PayloadNode<P>` allocation with no
    /// handles, not linked, exclusively the caller's.
    pub(crate) unsafe fn register_kept<P: Payload>(self, kept: NonNull<Node>) -> Handle {
        // SAFETY: forwarded caller contract.
        unsafe { Node::renew::<P>(kept, self.ptr) };
        let mut state = self.lock();
        state.push_front(NodePtr(kept));
        // The count the node owns, taken with the unlock (as above).
        state.unlock_acquiring();
        // SAFETY: `renew` made the node with one handle, owned by this one.
        unsafe { Handle::adopt(kept) }
    }

    /// The list belongs to a header at another address: its value left the
    /// `Arc` the nodes were made for. Those weak references are dead (their
    /// `Weak`s cannot upgrade): clear them, run their callbacks, and start
    /// afresh for the header at `owner`.
    #[cold]
    pub(crate) fn rehome(self, owner: usize) {
        let detached = {
            let mut state = self.lock();
            if self.owner.load(Ordering::Relaxed) == owner {
                return;
            }
            let detached = state.detach_all(&self);
            // Release: pairs with `List::owner`'s Acquire (see there).
            self.owner.store(owner, Ordering::Release);
            detached
        };
        detached.run();
    }

    /// Number of live weak reference objects (`getweakrefcount`).
    pub(crate) fn count(self) -> usize {
        let mut state = self.lock();
        let shared = self
            .shared
            .iter()
            .filter_map(|slot| NonNull::new(slot.load(Ordering::Relaxed)))
            // SAFETY: in a slot of this list, whose lock we hold.
            .filter(|&node| unsafe { linked(NodePtr(node)) }.handle_count() > 0)
            .count();
        let mut others = 0;
        state.for_each_linked(|_, node| others += usize::from(node.handle_count() > 0));
        shared + others
    }

    /// A handle to every live weak reference object (`getweakrefs`): the
    /// shared ref, the shared proxy, then the others newest first.
    pub(crate) fn handles(self) -> Vec<Handle> {
        let mut state = self.lock();
        let mut out = Vec::new();
        let mut take = |node: &Node, ptr: NonNull<Node>| {
            if node.try_acquire() {
                // SAFETY: `try_acquire` took the count the handle owns.
                out.push(unsafe { Handle::adopt(ptr) });
            }
        };
        for slot in &self.shared {
            if let Some(node) = NonNull::new(slot.load(Ordering::Relaxed)) {
                // SAFETY: in a slot of this list, whose lock we hold.
                take(unsafe { linked(NodePtr(node)) }, node);
            }
        }
        // The node's own pointer, not one made from `&Node`: a handle may
        // free the node, which needs provenance over the whole allocation.
        state.for_each_linked(|ptr, node| take(node, ptr.0));
        out
    }
}

impl State {
    pub(crate) fn belongs_to(&self, list: NonNull<List>) -> bool {
        self.list == list.as_ptr() as usize
    }

    /// Links a fresh payload node at the head (newest first).
    fn push_front(&mut self, node: NodePtr) {
        // SAFETY: a fresh node of this list, whose lock we hold (via `self`);
        // it is alive since the caller owns its only handle.
        let node_ref = unsafe { linked(node) };
        let old_head = self.head;
        let links = node_ref.links(self);
        links.prev = None;
        links.next = old_head;
        links.linked = true;
        if let Some(old) = old_head {
            // SAFETY: the old head is linked in this list, whose lock we hold.
            unsafe { linked(old) }.links(self).prev = Some(node);
        }
        self.head = Some(node);
    }

    /// Unlinks `node` if it is linked (shared nodes just stop counting).
    pub(crate) fn unlink(&mut self, node: &Node) {
        let links = node.links(self);
        if !core::mem::replace(&mut links.linked, false) {
            return;
        }
        if node.kind() == Kind::Shared {
            return;
        }
        let (prev, next) = (links.prev.take(), links.next.take());
        match prev {
            // SAFETY: `prev` is linked in this list, whose lock we hold.
            Some(prev) => unsafe { linked(prev) }.links(self).next = next,
            None => self.head = next,
        }
        if let Some(next) = next {
            // SAFETY: `next` is linked in this list, whose lock we hold.
            unsafe { linked(next) }.links(self).prev = prev;
        }
    }

    /// Calls `f` on every linked payload node, newest first.
    fn for_each_linked(&mut self, mut f: impl FnMut(NodePtr, &Node)) {
        let mut cur = self.head;
        while let Some(ptr) = cur {
            // SAFETY: linked in this list, whose lock we hold.
            let node = unsafe { linked(ptr) };
            f(ptr, node);
            cur = node.links(self).next;
        }
    }

    /// Clearing: every node stops being reachable from the list at once;
    /// each payload node that still has a handle is claimed (we take a handle
    /// so it survives until its payload ran, even if every other handle goes).
    /// Nodes whose last handle is being dropped concurrently are only
    /// unlinked; their dropper frees them without running the payload.
    fn detach_all(&mut self, list: &List) -> Detached {
        for slot in &list.shared {
            // Relaxed: under the lock; lock-free readers only ever see a slot
            // change in `rehome`, ordered by the `owner` store.
            if let Some(node) = NonNull::new(slot.swap(ptr::null_mut(), Ordering::Relaxed)) {
                // SAFETY: it was in a slot of this list, whose lock we hold.
                unsafe { linked(NodePtr(node)) }.links(self).linked = false;
            }
        }
        let mut detached = Detached::default();
        let mut cur = self.head.take();
        while let Some(ptr) = cur {
            // SAFETY: linked in this list (until just below), lock held.
            let node = unsafe { linked(ptr) };
            let links = node.links(self);
            cur = links.next.take();
            links.prev = None;
            links.linked = false;
            let cancelled = links.cancelled;
            // A parked node's count already belongs to the list (see
            // `Links::parked`): claim it as is.
            let parked = core::mem::replace(&mut links.parked, false);
            if parked {
                node.mark_detached(self);
            }
            // One read-modify-write for the usual case: a handle and the
            // claimed mark together.
            if parked || (!cancelled && node.try_acquire_detaching(self)) {
                // SAFETY: the parked count, or the one `try_acquire_detaching`
                // took, is the count the handle owns.
                let handle = unsafe { Handle::adopt(ptr.0) };
                // SAFETY: unlinked just above under the list lock, with this
                // handle: nothing can claim the node again (`claim` and a
                // later clearing need it linked).
                let handle = unsafe { Claimed::new(handle) };
                match node.kind() {
                    Kind::Hook => detached.hooks.push(handle),
                    Kind::Callback | Kind::Shared => detached.callbacks.push(handle),
                }
            }
        }
        detached
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size BENCHMARKS.md reports (the count and the lock are one word).
    #[test]
    #[cfg(all(target_pointer_width = "64", not(loom)))]
    fn list_size() {
        assert_eq!(size_of::<List>(), 88);
    }

    #[test]
    fn release_frees_list_and_shared_nodes() {
        let list = List::alloc(1);
        // SAFETY: we own the only count for the duration of the borrow.
        let list_ref = unsafe { ListRef::new(list) };
        let a = list_ref.shared(Slot::Ref);
        let b = list_ref.shared(Slot::Ref);
        assert_eq!(a.ptr(), b.ptr());
        assert_eq!(list_ref.count(), 1);
        drop((a, b));
        assert_eq!(list_ref.count(), 0);
        let c = list_ref.shared(Slot::Ref);
        assert_eq!(list_ref.count(), 1);
        // SAFETY: gives up the count taken by `alloc`; `c` keeps it alive.
        unsafe { List::release(list) };
        drop(c);
    }
}
