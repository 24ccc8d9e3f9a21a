//! Hashing: DESIGN semantics 7 (CPython's test_hashing, and B.6 of the
//! reference notes). The tests run for both flavours (`name::arc`,
//! `name::rc`: `weakref_tests::flavour`), except the one racing threads.

use std::cell::RefCell;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use weakref::{ArcFamily, Header, Ref, ReferenceError, Referent};
use weakref_tests::flavour::{Flavour, Local};
use weakref_tests::{Obj, flavour_tests};

/// What a `Hash::hash` call wrote.
#[derive(Debug, PartialEq, Eq)]
enum Write {
    U64(u64),
    Other(Vec<u8>),
}

/// A hasher that records every write.
#[derive(Default)]
struct Recorder(Vec<Write>);

impl Hasher for Recorder {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.push(Write::Other(bytes.to_vec()));
    }
    fn write_u64(&mut self, n: u64) {
        self.0.push(Write::U64(n));
    }
}

/// What `value.hash` writes.
fn writes(value: &impl Hash) -> Vec<Write> {
    let mut recorder = Recorder::default();
    value.hash(&mut recorder);
    recorder.0
}

/// Python's `hash(x)` for the Rust mapping: `DefaultHasher::new()`.
fn default_hash(value: &(impl Hash + ?Sized)) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_hashing
// Alive: the referent's hash; equal live referents
// hash equal; a ref hashed while alive keeps its hash after death; one never
// hashed cannot be hashed after death.
fn hash_is_the_referents_and_survives_death<Fl: Flavour>() {
    let x = Fl::obj(42);
    let y = Fl::obj(42);
    let a = Ref::new(&x);
    let b = Ref::new(&y);
    // The header writes nothing, so an `Obj` hashes as its `id`.
    assert_eq!(default_hash(&*x), default_hash(&42_u32));
    assert_eq!(writes(&a), [Write::U64(default_hash(&42_u32))]);
    assert_eq!(a.try_hash(), Ok(default_hash(&*x)));
    assert_eq!(a.try_hash(), b.try_hash(), "equal referents, equal hashes");
    let c = Fl::with_callback(&y, |_| ());
    drop((x, y));
    // Dead weakrefs retain their hash if they were hashed while alive ...
    assert_eq!(writes(&a), [Write::U64(default_hash(&42_u32))]);
    assert_eq!(b.try_hash(), Ok(default_hash(&42_u32)));
    // ... otherwise they cannot be hashed.
    assert_eq!(c.try_hash(), Err(ReferenceError));
}
flavour_tests!(hash_is_the_referents_and_survives_death);

fn hash_writes_exactly_one_u64<Fl: Flavour>() {
    let o = Fl::obj(7);
    let r = Ref::new(&o);
    let w = writes(&r);
    assert_eq!(w.len(), 1);
    assert!(matches!(w[0], Write::U64(_)), "{w:?}");
}
flavour_tests!(hash_writes_exactly_one_u64);

fn first_hash_after_death_panics_clearly<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    drop(o);
    assert_eq!(r.try_hash(), Err(ReferenceError));
    let payload = catch_unwind(AssertUnwindSafe(|| writes(&r))).expect_err("hashing must panic");
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .expect("a string message");
    assert!(
        message.contains("cannot hash a weak reference"),
        "{message}"
    );
    assert!(
        message.contains("gone") && message.contains("dead>"),
        "{message}"
    );
    // Still unhashable, and no hash got cached by the failed attempt.
    assert_eq!(r.try_hash(), Err(ReferenceError));
}
flavour_tests!(first_hash_after_death_panics_clearly);

/// A referent whose hash can change and counts how often it is computed.
#[derive(Referent)]
struct Mutable {
    key: AtomicU32,
    hashed: AtomicUsize,
    header: Header,
}

impl Hash for Mutable {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.hashed.fetch_add(1, Ordering::SeqCst);
        self.key.load(Ordering::SeqCst).hash(state);
    }
}

fn mutable<Fl: Flavour>(key: u32) -> Fl::Ptr<Mutable> {
    Fl::new(Mutable {
        key: AtomicU32::new(key),
        hashed: AtomicUsize::new(0),
        header: Header::new(),
    })
}

// Computed once, cached on the weak reference object: every handle of that
// object gets the cached value, other weak reference objects compute their own.
fn hash_is_computed_once_per_weak_reference_object<Fl: Flavour>() {
    let m = mutable::<Fl>(1);
    let r = Ref::new(&m);
    let h1 = r.try_hash().unwrap();
    assert_eq!(h1, default_hash(&1_u32));
    assert_eq!(r.try_hash(), Ok(h1));
    assert_eq!(
        Ref::new(&m).try_hash(),
        Ok(h1),
        "same shared object, same cache"
    );
    assert_eq!(r.clone().try_hash(), Ok(h1));
    assert_eq!(m.hashed.load(Ordering::SeqCst), 1);
    m.key.store(2, Ordering::SeqCst);
    assert_eq!(r.try_hash(), Ok(h1), "cached");
    let other = Fl::with_callback(&m, |_| ());
    assert_eq!(other.try_hash(), Ok(default_hash(&2_u32)), "its own cache");
    assert_eq!(m.hashed.load(Ordering::SeqCst), 2);
}
flavour_tests!(hash_is_computed_once_per_weak_reference_object);

// Once the shared ref's handles are all gone, `Ref::new` gives a new weak
// reference object: nothing cached from the old one.
fn a_remade_shared_ref_has_a_fresh_hash<Fl: Flavour>() {
    let m = mutable::<Fl>(1);
    let r = Ref::new(&m);
    assert_eq!(r.try_hash(), Ok(default_hash(&1_u32)));
    drop(r);
    m.key.store(2, Ordering::SeqCst);
    assert_eq!(Ref::new(&m).try_hash(), Ok(default_hash(&2_u32)));
}
flavour_tests!(a_remade_shared_ref_has_a_fresh_hash);

// What the cache is for (CPython's weak dictionaries): a ref hashed while
// alive is still found in a hash set after its referent died, by its cached
// hash and identity; an equal live ref is not the same entry any more.
fn dead_refs_are_still_found_in_hash_sets<Fl: Flavour>() {
    let x = Fl::obj(5);
    let y = Fl::obj(5);
    let rx = Fl::with_callback(&x, |_| ());
    let ry = Ref::new(&y);
    let mut set = HashSet::new();
    assert!(set.insert(rx.clone()));
    assert!(set.contains(&ry), "alive: equal referents are the same key");
    drop(x);
    assert!(set.contains(&rx), "dead: found by cached hash and identity");
    assert!(!set.contains(&ry), "dead refs equal only themselves");
    assert!(set.remove(&rx));
    assert!(set.is_empty());
}
flavour_tests!(dead_refs_are_still_found_in_hash_sets);

// Racing first hashes agree. (`Arc` only: threads.)
#[test]
fn concurrent_first_hashes_agree() {
    const THREADS: usize = if cfg!(miri) { 2 } else { 8 };
    let m = mutable::<ArcFamily>(9);
    let r = Ref::new(&m);
    let barrier = Arc::new(std::sync::Barrier::new(THREADS));
    let hashes: Vec<u64> = (0..THREADS)
        .map(|_| {
            let (r, barrier) = (r.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                r.try_hash().unwrap()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert!(hashes.iter().all(|&h| h == default_hash(&9_u32)));
    drop(m);
    assert_eq!(r.try_hash(), Ok(default_hash(&9_u32)));
}

// CPython's `WeakKeyDictionary` removal pattern: the callback is handed the
// dead weak reference object that is the set's key, and finds it by the
// hash cached while it was alive (and identity).
fn callback_argument_finds_its_own_entry<Fl: Flavour>() {
    use std::sync::Mutex;
    type Set<Fl> = Rc<RefCell<HashSet<Ref<Obj, Fl>>>>;
    let set: Set<Fl> = Rc::default();
    let removed = Arc::new(Mutex::new(None));
    let o = Fl::obj(3);
    let (set2, removed2) = (Local::new(Rc::clone(&set)), Arc::clone(&removed));
    let key = Fl::with_callback(&o, move |me: &Ref<Obj, Fl>| {
        assert_eq!(
            me.try_hash(),
            Ok(default_hash(&3_u32)),
            "cached on the object"
        );
        let set2 = set2.into_inner();
        *removed2.lock().unwrap() = Some(set2.borrow_mut().remove(me));
    });
    set.borrow_mut().insert(key.clone());
    drop(key);
    drop(o);
    assert_eq!(*removed.lock().unwrap(), Some(true));
    assert!(set.borrow().is_empty());
}
flavour_tests!(callback_argument_finds_its_own_entry);
