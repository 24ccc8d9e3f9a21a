//! loom models of the weak dictionaries' death ledger (`src/deaths.rs`): a
//! weakly held object dies on one thread while the thread that owns the
//! dictionary removes its entry, replaces it, clears, clones, pops, retains
//! or drops the dictionary. Every interleaving of the death hook with the
//! owner's `Ref::cancel` and ledger calls is explored (the ledger's lock and
//! counter, and the core's, come from `loom` under `cfg(loom)`), checking:
//! `len()` is exact after the join (and equals what iteration finds), a stale
//! death never removes a newer entry (DESIGN semantics 16), and every key and
//! value is dropped exactly once. Both orders of the record-versus-forget
//! protocol (hook first, cancel first) are reached by the removal models.
//! Models are unbounded unless `LOOM_MAX_PREEMPTIONS` is set
//! (`scripts/loom.sh --ci` sets 3), except two too large for that (see
//! `model_bounded`).
//!
//! Run: `bash scripts/loom.sh`, or
//! `RUSTFLAGS="--cfg loom" cargo test -p weakref-collections --test loom_deaths --release`
#![cfg(loom)]

use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};
// The referents' `Arc` is the core's loom model of std's (see its docs).
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use weakref_core::__loom::Arc;

use loom::thread;
use weakref_collections::{WeakKeyDictionary, WeakSet, WeakValueDictionary};
use weakref_core::{Header, Referent};

/// Births and drops of one kind of thing, to check each is dropped once.
/// (Plain std atomics: they are only read after the join.)
#[derive(Default, Debug)]
struct Census {
    made: AtomicUsize,
    dropped: AtomicUsize,
}

impl Census {
    fn alive(&self) -> usize {
        self.made.load(SeqCst) - self.dropped.load(SeqCst)
    }

    fn dropped(&self) -> usize {
        self.dropped.load(SeqCst)
    }
}

/// A weakly held object, hashed and compared by `id`.
#[derive(Referent)]
struct Obj {
    id: u32,
    census: Arc<Census>,
    header: Header,
}

impl PartialEq for Obj {
    fn eq(&self, other: &Obj) -> bool {
        self.id == other.id
    }
}

impl Eq for Obj {}

impl Hash for Obj {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl Drop for Obj {
    fn drop(&mut self) {
        self.census.dropped.fetch_add(1, SeqCst);
    }
}

/// A strongly held key or value, compared by `id`, counted on clone too.
#[derive(Debug)]
struct Data {
    id: u32,
    census: Arc<Census>,
}

impl Clone for Data {
    fn clone(&self) -> Data {
        data(self.id, &self.census)
    }
}

impl PartialEq for Data {
    fn eq(&self, other: &Data) -> bool {
        self.id == other.id
    }
}

impl Eq for Data {}

impl Hash for Data {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl Drop for Data {
    fn drop(&mut self) {
        self.census.dropped.fetch_add(1, SeqCst);
    }
}

fn obj(id: u32, census: &Arc<Census>) -> Arc<Obj> {
    census.made.fetch_add(1, SeqCst);
    Arc::new(Obj {
        id,
        census: Arc::clone(census),
        header: Header::new(),
    })
}

fn data(id: u32, census: &Arc<Census>) -> Data {
    census.made.fetch_add(1, SeqCst);
    Data {
        id,
        census: Arc::clone(census),
    }
}

/// A fixed hasher: loom replays each execution, so iteration order (which
/// orders the ledger calls of `clear`, `clone`, ...) must not change between
/// runs, as it would with `RandomState`.
type Fixed = BuildHasherDefault<DefaultHasher>;
type ValueDict = WeakValueDictionary<Data, Obj, Fixed>;
type KeyDict = WeakKeyDictionary<Obj, Data, Fixed>;

/// `len()` agrees with what iteration finds (no dead entry is counted).
fn check_value_dict(d: &ValueDict, live: usize) {
    assert_eq!(d.len(), live, "len is exact");
    assert_eq!(d.iter().count(), live, "iteration finds the live entries");
}

fn check_key_dict(d: &KeyDict, live: usize) {
    assert_eq!(d.len(), live, "len is exact");
    assert_eq!(d.iter().count(), live, "iteration finds the live entries");
}

/// A `WeakValueDictionary` `{1: doomed, 2: kept}`; the caller holds `kept`.
struct ValueFixture {
    keys: Arc<Census>,
    values: Arc<Census>,
    dict: ValueDict,
    doomed: Arc<Obj>,
    kept: Arc<Obj>,
}

fn value_fixture() -> ValueFixture {
    let keys = Arc::new(Census::default());
    let values = Arc::new(Census::default());
    let doomed = obj(1, &values);
    let kept = obj(2, &values);
    let mut dict = ValueDict::default();
    dict.insert(data(1, &keys), &doomed);
    dict.insert(data(2, &keys), &kept);
    ValueFixture {
        keys,
        values,
        dict,
        doomed,
        kept,
    }
}

/// A `WeakKeyDictionary` `{doomed: 1, kept: 2}`; the caller holds `kept`.
struct KeyFixture {
    keys: Arc<Census>,
    values: Arc<Census>,
    dict: KeyDict,
    doomed: Arc<Obj>,
    kept: Arc<Obj>,
}

fn key_fixture() -> KeyFixture {
    let keys = Arc::new(Census::default());
    let values = Arc::new(Census::default());
    let doomed = obj(1, &keys);
    let kept = obj(2, &keys);
    let mut dict = KeyDict::default();
    dict.insert(&doomed, data(1, &values));
    dict.insert(&kept, data(2, &values));
    KeyFixture {
        keys,
        values,
        dict,
        doomed,
        kept,
    }
}

#[test]
fn value_dict_remove_races_value_death() {
    loom::model(|| {
        let ValueFixture {
            keys,
            values,
            mut dict,
            doomed,
            kept,
        } = value_fixture();
        let t = thread::spawn(move || drop(doomed));
        let removed = dict.remove(&data(1, &keys));
        // `remove` upgrades first: if it got the value, it kept it alive.
        drop(removed);
        t.join().unwrap();
        assert_eq!(values.dropped(), 1);
        check_value_dict(&dict, 1);
        dict.shrink_to_fit(); // collects whatever is recorded
        check_value_dict(&dict, 1);
        assert!(Arc::ptr_eq(&dict.get(&data(2, &keys)).unwrap(), &kept));
        assert_eq!(keys.alive(), 1, "the removed key was dropped once");
        drop(dict);
        assert_eq!(keys.alive(), 0);
        drop(kept);
        assert_eq!(values.alive(), 0);
    });
}

// The removed entry's node goes back to the dictionary's pool when the
// remove gave up its last handle, and the next insert reuses it for another
// object: the old object's death, racing both, must neither run the new
// entry's hook nor be recorded against it.
#[test]
fn value_dict_remove_then_reinsert_races_value_death() {
    loom::model(|| {
        let ValueFixture {
            keys,
            values,
            mut dict,
            doomed,
            kept,
        } = value_fixture();
        let t = thread::spawn(move || drop(doomed));
        drop(dict.remove(&data(1, &keys)));
        let fresh = obj(3, &values);
        dict.insert(data(3, &keys), &fresh);
        t.join().unwrap();
        assert_eq!(values.dropped(), 1);
        check_value_dict(&dict, 2);
        dict.shrink_to_fit();
        check_value_dict(&dict, 2);
        assert!(Arc::ptr_eq(&dict.get(&data(3, &keys)).unwrap(), &fresh));
        drop(fresh);
        check_value_dict(&dict, 1);
        assert!(Arc::ptr_eq(&dict.get(&data(2, &keys)).unwrap(), &kept));
        drop(dict);
        assert_eq!(keys.alive(), 0);
        drop(kept);
        assert_eq!(values.alive(), 0);
    });
}

#[test]
fn key_dict_remove_races_key_death() {
    loom::model(|| {
        let KeyFixture {
            keys,
            values,
            mut dict,
            doomed,
            kept,
        } = key_fixture();
        let t = thread::spawn(move || drop(doomed));
        // An equal key, not the same object: `remove` does not keep the
        // stored key alive across its `cancel`, so the hook and the cancel
        // race for real (hook first: `forget` consumes the record; cancel
        // first: the hook is never run).
        let probe = obj(1, &keys);
        let removed = dict.remove(&probe);
        drop(probe);
        t.join().unwrap();
        // Whichever won, the entry is gone and counted out exactly once.
        check_key_dict(&dict, 1);
        drop(removed);
        dict.shrink_to_fit();
        check_key_dict(&dict, 1);
        assert_eq!(values.dropped(), 1, "the doomed value, once");
        assert!(dict.contains_key(&kept));
        drop(dict);
        assert_eq!(values.alive(), 0);
        drop(kept);
        assert_eq!(keys.alive(), 0);
    });
}

#[test]
fn value_dict_insert_over_entry_races_old_value_death() {
    loom::model(|| {
        let ValueFixture {
            keys,
            values,
            mut dict,
            doomed,
            kept,
        } = value_fixture();
        let newer = obj(3, &values);
        let t = thread::spawn(move || drop(doomed));
        let old = dict.insert(data(1, &keys), &newer);
        drop(old);
        t.join().unwrap();
        // The old value's death, recorded or not, never touches the newer
        // value under the same key (semantics 16).
        check_value_dict(&dict, 2);
        dict.shrink_to_fit();
        check_value_dict(&dict, 2);
        assert!(Arc::ptr_eq(&dict.get(&data(1, &keys)).unwrap(), &newer));
        assert!(Arc::ptr_eq(&dict.get(&data(2, &keys)).unwrap(), &kept));
        assert_eq!(values.dropped(), 1);
        assert_eq!(keys.alive(), 2, "the probe keys and the duplicate key went");
        drop(dict);
        assert_eq!(keys.alive(), 0);
        drop((newer, kept));
        assert_eq!(values.alive(), 0);
    });
}

#[test]
fn key_dict_insert_equal_key_races_stored_key_death() {
    loom::model(|| {
        let KeyFixture {
            keys,
            values,
            mut dict,
            doomed,
            kept,
        } = key_fixture();
        let equal = obj(1, &keys);
        let t = thread::spawn(move || drop(doomed));
        // Either the stored key was still alive (the value is replaced and
        // the entry dies with it), or it was dead (a new entry for `equal`).
        let old = dict.insert(&equal, data(10, &values));
        let replaced = old.is_some();
        drop(old);
        t.join().unwrap();
        let live = if replaced { 1 } else { 2 };
        check_key_dict(&dict, live);
        dict.shrink_to_fit();
        check_key_dict(&dict, live);
        assert_eq!(dict.contains_key(&equal), !replaced);
        assert_eq!(values.alive(), live, "dead entries' values dropped once");
        drop(dict);
        assert_eq!(values.alive(), 0);
        drop((equal, kept));
        assert_eq!(keys.alive(), 0);
    });
}

#[test]
fn value_dict_clear_races_value_death_and_leaves_no_stale_count() {
    loom::model(|| {
        let ValueFixture {
            keys,
            values,
            mut dict,
            doomed,
            kept,
        } = value_fixture();
        let t = thread::spawn(move || drop(doomed));
        dict.clear();
        t.join().unwrap();
        check_value_dict(&dict, 0);
        assert_eq!(keys.alive(), 0);
        // A death that lost to `clear` must not be counted against a new
        // entry (a stale record would make this 0).
        dict.insert(data(3, &keys), &kept);
        check_value_dict(&dict, 1);
        dict.shrink_to_fit();
        check_value_dict(&dict, 1);
        drop(dict);
        assert_eq!(keys.alive(), 0);
        drop(kept);
        assert_eq!(values.alive(), 0);
    });
}

#[test]
fn key_dict_clear_races_key_death() {
    loom::model(|| {
        let KeyFixture {
            keys,
            values,
            mut dict,
            doomed,
            kept,
        } = key_fixture();
        let t = thread::spawn(move || drop(doomed));
        dict.clear();
        t.join().unwrap();
        check_key_dict(&dict, 0);
        assert_eq!(values.alive(), 0);
        dict.insert(&kept, data(3, &values));
        check_key_dict(&dict, 1);
        drop(dict);
        assert_eq!(values.alive(), 0);
        drop(kept);
        assert_eq!(keys.alive(), 0);
    });
}

#[test]
fn value_dict_clone_races_value_death() {
    loom::model(|| {
        let ValueFixture {
            keys,
            values,
            dict,
            doomed,
            kept,
        } = value_fixture();
        let t = thread::spawn(move || drop(doomed));
        // The copy may take the doomed value alive, then see it die.
        let copy = dict.clone();
        t.join().unwrap();
        check_value_dict(&dict, 1);
        check_value_dict(&copy, 1);
        assert!(Arc::ptr_eq(&copy.get(&data(2, &keys)).unwrap(), &kept));
        assert!(copy.get(&data(1, &keys)).is_none());
        assert_eq!(values.dropped(), 1);
        drop((dict, copy));
        assert_eq!(keys.alive(), 0, "every cloned key dropped once");
        drop(kept);
        assert_eq!(values.alive(), 0);
    });
}

#[test]
fn key_dict_clone_races_key_death() {
    loom::model(|| {
        let KeyFixture {
            keys,
            values,
            dict,
            doomed,
            kept,
        } = key_fixture();
        let t = thread::spawn(move || drop(doomed));
        let mut copy = dict.clone();
        t.join().unwrap();
        check_key_dict(&dict, 1);
        check_key_dict(&copy, 1);
        copy.shrink_to_fit();
        check_key_dict(&copy, 1);
        assert_eq!(copy.get(&kept).map(|d| d.id), Some(2));
        drop((dict, copy));
        assert_eq!(values.alive(), 0, "every cloned value dropped once");
        drop(kept);
        assert_eq!(keys.alive(), 0);
    });
}

#[test]
fn value_dict_popitem_races_value_death() {
    loom::model(|| {
        let ValueFixture {
            keys,
            values,
            mut dict,
            doomed,
            kept,
        } = value_fixture();
        let t = thread::spawn(move || drop(doomed));
        let (key, value) = dict.popitem().expect("`kept` is alive");
        let popped = key.id;
        drop((key, value));
        t.join().unwrap();
        // Left: `kept`'s entry unless it was the one popped.
        let live = usize::from(popped == 1);
        check_value_dict(&dict, live);
        dict.shrink_to_fit();
        check_value_dict(&dict, live);
        assert_eq!(values.dropped(), 1);
        drop(dict);
        assert_eq!(keys.alive(), 0);
        drop(kept);
        assert_eq!(values.alive(), 0);
    });
}

#[test]
fn key_dict_retain_races_key_death() {
    loom::model(|| {
        let KeyFixture {
            keys,
            values,
            mut dict,
            doomed,
            kept,
        } = key_fixture();
        let t = thread::spawn(move || drop(doomed));
        // Drops the doomed entry if it sees it alive; keeps `kept`.
        dict.retain(|key, _| key.id == 2);
        t.join().unwrap();
        check_key_dict(&dict, 1);
        // A death after `retain`'s last collection is collected by the next
        // `&mut` operation.
        dict.shrink_to_fit();
        check_key_dict(&dict, 1);
        assert_eq!(values.alive(), 1, "the doomed value dropped once");
        drop(dict);
        assert_eq!(values.alive(), 0);
        drop(kept);
        assert_eq!(keys.alive(), 0);
    });
}

#[test]
fn dictionaries_dropped_while_an_object_dies() {
    model_bounded(|| {
        let values = ValueFixture::into_parts(value_fixture());
        let keys = KeyFixture::into_parts(key_fixture());
        let (vd, vk, vv, v_doomed, v_kept) = values;
        let (kd, kk, kv, k_doomed, k_kept) = keys;
        let t = thread::spawn(move || drop((v_doomed, k_doomed)));
        // Dropping a dictionary disarms every hook; a hook the death already
        // claimed writes into the orphaned ledger, which it keeps alive.
        drop(vd);
        drop(kd);
        t.join().unwrap();
        assert_eq!((vk.alive(), kv.alive()), (0, 0));
        drop((v_kept, k_kept));
        assert_eq!((vv.alive(), kk.alive()), (0, 0));
    });
}

#[test]
fn weak_set_remove_races_member_death() {
    loom::model(|| {
        let census = Arc::new(Census::default());
        let doomed = obj(1, &census);
        let kept = obj(2, &census);
        let mut set = WeakSet::<Obj, Fixed>::default();
        set.insert(&doomed);
        set.insert(&kept);
        let t = thread::spawn(move || drop(doomed));
        let probe = obj(1, &census);
        set.remove(&probe);
        drop(probe);
        t.join().unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set.iter().count(), 1);
        // A stale death must not hide a new member either.
        let again = obj(1, &census);
        assert!(set.insert(&again));
        assert_eq!(set.len(), 2);
        drop(set);
        drop((kept, again));
        assert_eq!(census.alive(), 0);
    });
}

#[test]
fn two_deaths_race_the_owner_removing_one_of_them() {
    loom::model(|| {
        let ValueFixture {
            keys,
            values,
            mut dict,
            doomed,
            kept,
        } = value_fixture();
        let third = obj(3, &values);
        dict.insert(data(3, &keys), &third);
        // Two deaths on one other thread, one removal on the owner's.
        let t = thread::spawn(move || drop((doomed, third)));
        drop(dict.remove(&data(3, &keys)));
        t.join().unwrap();
        check_value_dict(&dict, 1);
        dict.shrink_to_fit();
        check_value_dict(&dict, 1);
        assert_eq!(keys.alive(), 1);
        assert_eq!(values.dropped(), 2);
        drop(dict);
        drop(kept);
        assert_eq!((keys.alive(), values.alive()), (0, 0));
    });
}

impl ValueFixture {
    fn into_parts(self) -> (ValueDict, Arc<Census>, Arc<Census>, Arc<Obj>, Arc<Obj>) {
        (self.dict, self.keys, self.values, self.doomed, self.kept)
    }
}

impl KeyFixture {
    fn into_parts(self) -> (KeyDict, Arc<Census>, Arc<Census>, Arc<Obj>, Arc<Obj>) {
        (self.dict, self.keys, self.values, self.doomed, self.kept)
    }
}

/// Models too large to explore unbounded (three threads, or two
/// dictionaries at once; the referents' `Arc` is modelled too): explores
/// with `LOOM_MAX_PREEMPTIONS` preemptions if set, else 4. The three-thread
/// model takes about 90 s at 4 and ran for over 10 minutes at 5; the
/// two-dictionary one ran for over 15 minutes unbounded.
fn model_bounded(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(4);
    }
    builder.check(f);
}

#[test]
fn deaths_on_two_threads_race_the_owner_clearing_then_reinserting() {
    model_bounded(|| {
        let KeyFixture {
            keys,
            values,
            mut dict,
            doomed,
            kept,
        } = key_fixture();
        let a = thread::spawn(move || drop(doomed));
        let b = thread::spawn(move || drop(kept));
        dict.clear();
        let fresh = obj(3, &keys);
        dict.insert(&fresh, data(3, &values));
        a.join().unwrap();
        b.join().unwrap();
        // Neither late hook counts against the new entry.
        check_key_dict(&dict, 1);
        assert_eq!(dict.get(&fresh).map(|d| d.id), Some(3));
        assert_eq!(values.alive(), 1);
        drop(dict);
        drop(fresh);
        assert_eq!((keys.alive(), values.alive()), (0, 0));
    });
}
