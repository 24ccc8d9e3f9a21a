//! Allocation costs, counted by a global allocator (this test binary only):
//! an object never weakly referenced allocates nothing (its `Header` stays a
//! null word), reusing an object's shared ref or proxy allocates nothing, a
//! ref with a callback allocates one node, and a dictionary lookup
//! allocates nothing. DESIGN "Quality bars" and issue 5's memory figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;

use weakref::{
    Header, Ref, Referent, WeakKeyDictionary, WeakValueDictionary, getweakrefcount, proxy,
};

/// Counts allocations made by the current thread while `COUNTING` is set on it.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; the
// thread-local bookkeeping does not allocate (const-initialised `Cell`s).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = COUNTING.try_with(|on| {
            if on.get() {
                ALLOCATIONS.with(|n| n.set(n.get() + 1));
            }
        });
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations `f` makes on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|on| on.set(true));
    f();
    COUNTING.with(|on| on.set(false));
    ALLOCATIONS.with(Cell::get)
}

#[derive(Referent, PartialEq, Eq, Hash, Debug)]
struct Obj {
    id: u32,
    header: Header,
}

fn obj(id: u32) -> Arc<Obj> {
    Arc::new(Obj {
        id,
        header: Header::new(),
    })
}

#[test]
fn an_object_never_weakly_referenced_allocates_nothing_beyond_its_arc() {
    // One allocation: the Arc itself. No list, no node, on creation,
    // introspection, or death.
    assert_eq!(
        allocations(|| {
            let o = obj(1);
            assert_eq!(getweakrefcount(&o), 0);
            assert!(weakref::getweakrefs(&o).is_empty());
            assert!(!o.header.is_referenced());
            drop(o);
        }),
        1
    );
    assert_eq!(size_of::<Header>(), size_of::<usize>());
}

#[test]
fn reusing_the_shared_ref_or_proxy_allocates_nothing() {
    let o = obj(2);
    let first = Ref::new(&o);
    let first_proxy = proxy(&o);
    assert_eq!(
        allocations(|| {
            for _ in 0..100 {
                let r = Ref::new(&o);
                assert!(r.get().is_some());
                let p = proxy(&o);
                assert!(p.is_alive());
            }
        }),
        0
    );
    drop((first, first_proxy));
}

#[test]
fn the_first_weak_ref_allocates_the_list_and_a_callback_ref_one_node() {
    let o = obj(3);
    // The list (with the shared ref's node on first use: two allocations).
    assert_eq!(allocations(|| drop(Ref::new(&o))), 2);
    let keep = Ref::new(&o);
    // A ref with a callback: exactly one allocation (node and callback inline).
    assert_eq!(allocations(|| drop(Ref::with_callback(&o, |_| ()))), 1);
    drop(keep);
}

#[test]
fn dictionary_lookups_allocate_nothing() {
    let keys: Vec<_> = (0..100).map(obj).collect();
    let wkd: WeakKeyDictionary<Obj, u32> = keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
    let wvd: WeakValueDictionary<u32, Obj> = keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
    assert_eq!(
        allocations(|| {
            for k in &keys {
                assert_eq!(wkd.get(k), Some(&k.id));
                assert!(wvd.get(&k.id).is_some());
                assert!(wkd.contains_key(k) && wvd.contains_key(&k.id));
            }
        }),
        0
    );
}

// `entry_ref` / `get_or_insert_with_ref` look a `String` key up by `&str`:
// a hit makes no owned key (and no value); a miss makes the key once.
#[test]
fn a_cache_hit_by_borrowed_key_allocates_nothing() {
    let keep: Vec<_> = (0..10).map(obj).collect();
    let mut cache: WeakValueDictionary<String, Obj> = WeakValueDictionary::new();
    for k in &keep {
        cache.insert(format!("key {}", k.id), k);
    }
    let names: Vec<String> = (0..10).map(|i| format!("key {i}")).collect();
    assert_eq!(
        allocations(|| {
            for (name, k) in names.iter().zip(&keep) {
                let hit = cache.get_or_insert_with_ref(name.as_str(), || unreachable!("a hit"));
                assert!(Arc::ptr_eq(&hit, k));
                let again = cache
                    .entry_ref(name.as_str())
                    .or_insert_with(|| unreachable!());
                assert!(Arc::ptr_eq(&again, k));
            }
        }),
        0
    );
    let fresh = obj(99);
    // A miss: the `String` key, and the entry's weak reference object with
    // the object's list of weak references (its first weak reference: two,
    // as above); nothing else (the table has room).
    cache.reserve(1);
    let made = allocations(|| {
        let v = cache.get_or_insert_with_ref("new", || Arc::clone(&fresh));
        assert!(Arc::ptr_eq(&v, &fresh));
    });
    assert_eq!(made, 3);
    assert_eq!(cache.get("new").map(|v| v.id), Some(99));
}

// An identity lookup allocates nothing either (one multiply and a probe).
#[test]
fn identity_lookups_allocate_nothing() {
    let keys: Vec<_> = (0..100).map(obj).collect();
    let d: weakref::WeakKeyIdentityDictionary<Obj, u32> = keys.iter().map(|k| (k, k.id)).collect();
    let s: weakref::WeakIdentitySet<Obj> = keys.iter().collect();
    assert_eq!(
        allocations(|| {
            for k in &keys {
                assert_eq!(d.get(k), Some(&k.id));
                assert!(s.contains(k));
            }
        }),
        0
    );
}

// Issue 14: an entry's weak reference object is recycled by its dictionary
// (a per-dictionary pool of death-hook nodes), so inserting and removing in
// steady state allocates nothing: not the node, not the table.
#[test]
fn dictionary_insert_and_remove_in_steady_state_allocate_nothing() {
    let keys: Vec<_> = (0..100).map(obj).collect();
    let mut wkd: WeakKeyDictionary<Obj, u32> = WeakKeyDictionary::with_capacity(200);
    let mut wvd: WeakValueDictionary<u32, Obj> = WeakValueDictionary::with_capacity(200);
    let round = |wkd: &mut WeakKeyDictionary<Obj, u32>, wvd: &mut WeakValueDictionary<u32, Obj>| {
        for k in &keys {
            wkd.insert(k, k.id);
            wvd.insert(k.id, k);
        }
        for k in &keys {
            assert_eq!(wkd.remove(k), Some(k.id));
            assert!(wvd.remove(&k.id).is_some());
        }
    };
    round(&mut wkd, &mut wvd); // fills the pools
    assert_eq!(allocations(|| round(&mut wkd, &mut wvd)), 0);
}

#[test]
fn reported_sizes() {
    // std::sync::Weak<T> is one word; a Ref is the weak plus its node handle.
    assert_eq!(size_of::<Ref<Obj>>(), 2 * size_of::<usize>());
    // Both words' niches are taken (a `Ref::default()` has no node, the ref
    // given to a callback no `Weak`), so `Option<Ref>` takes a third word;
    // `Ref::default()` is the allocation-free "no referent" instead.
    assert_eq!(size_of::<Option<Ref<Obj>>>(), 3 * size_of::<usize>());
    assert_eq!(size_of::<weakref::rc::Ref<Obj>>(), 2 * size_of::<usize>());
    assert_eq!(size_of::<weakref::Proxy<Obj>>(), size_of::<Ref<Obj>>());
}
