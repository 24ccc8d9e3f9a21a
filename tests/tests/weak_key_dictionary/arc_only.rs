//! The weak-keyed dictionary's cases for `Arc` keys only (a static holding
//! keys, a thread, `Send + Sync`): see `weak_key_dictionary.rs`.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use weakref::{Header, Referent, WeakKeyDictionary};

use super::cases::*;

/// CPython's `C` of test_weak_keyed_cascading_deletes: when `MUTATE` is on,
/// its `Eq` drops the last strong reference to the last key in `OBJS`.
#[derive(Referent)]
struct Cascading {
    value: u32,
    header: Header,
}

static MUTATE: AtomicBool = AtomicBool::new(false);
static OBJS: Mutex<Vec<Arc<Cascading>>> = Mutex::new(Vec::new());

impl PartialEq for Cascading {
    fn eq(&self, other: &Cascading) -> bool {
        if MUTATE.load(Ordering::SeqCst) {
            let last = OBJS.lock().unwrap().pop();
            drop(last); // outside the lock: this kills a key of the dictionary
        }
        self.value == other.value
    }
}
impl Eq for Cascading {}
impl Hash for Cascading {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

fn cascading(value: u32) -> Arc<Cascading> {
    Arc::new(Cascading {
        value,
        header: Header::new(),
    })
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keyed_cascading_deletes
// (SF bug 742860.) A key's `Eq` drops the last strong reference to another
// key in the middle of `remove`.
#[test]
fn weak_keyed_cascading_deletes() {
    let mut d = WeakKeyDictionary::new();
    let objs: Vec<_> = (0..4).map(cascading).collect();
    for o in &objs {
        d.insert(o, o.value);
    }
    // The dictionary's key order, reversed, as CPython does; then these are
    // the only strong references to the keys.
    let mut order: Vec<_> = d.keys().collect();
    order.reverse();
    drop(objs);
    *OBJS.lock().unwrap() = order;
    MUTATE.store(true, Ordering::SeqCst);
    let mut count = 0;
    loop {
        let o = {
            let mut objs = OBJS.lock().unwrap();
            if objs.is_empty() {
                break;
            }
            objs.remove(0)
        };
        count += 1;
        // An equal probe, so the lookup compares with `Eq` (the stored key
        // itself would be found by address).
        let probe = cascading(o.value);
        assert_eq!(d.remove(&probe), Some(o.value));
    }
    MUTATE.store(false, Ordering::SeqCst);
    assert_eq!(d.len(), 0);
    assert_eq!(count, 2);
}

// Dropping a dictionary of N entries whose values hold the keys of the next
// entries runs in bounded stack.
#[test]
fn dropping_a_long_chain_runs_in_bounded_stack() {
    let n = if cfg!(miri) { 200 } else { 1_000_000 };
    let drops = Arc::new(AtomicUsize::new(0));
    let d2 = drops.clone();
    std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(move || {
            let (first, d) = chain(n, &d2);
            drop(first);
            drop(d);
            let (first, mut d) = chain(n, &d2);
            drop(first);
            d.clear(); // collects the chain iteratively
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 2 * n as usize);
}

#[test]
fn send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<WeakKeyDictionary<Object, String>>();
    check::<<&WeakKeyDictionary<Object, String> as IntoIterator>::IntoIter>();
}
