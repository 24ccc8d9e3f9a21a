//! Soak test: every thread hammers weak references, callbacks, proxies and
//! shared weak dictionaries for a bounded time while objects die on any
//! thread, then checks exact counts and exits non-zero on any mismatch.
//!
//! ```text
//! cargo run --release --example soak -- --seconds 60 [--threads N]
//! ```
//!
//! The threads also share a `ConcurrentWeakValueDictionary` with no lock of
//! their own, and keep finalizers beside their callback refs.
//!
//! Checked at the end: every callback (or finalizer) of a ref that was alive
//! when its referent died ran exactly once, no callback of a ref dropped or
//! cancelled (no finalizer detached) while its referent was held ever ran,
//! `cancel` and `detach` succeeded whenever the referent was held and a
//! finalizer called then ran at once, the dictionaries' `len` is what they
//! hold alive (and 0 once everything is dropped), and every object, callback
//! and dictionary value made was dropped.

use std::hash::{Hash, Hasher};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Barrier, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use weakref::{
    ConcurrentWeakValueDictionary, Finalize, Header, Proxy, Ref, Referent, WeakKeyDictionary,
    WeakSet, WeakValueDictionary, finalize, getweakrefcount, proxy, proxy_with_callback,
};

/// Object slots shared by all threads: replacing or clearing one is a death.
const SLOTS: usize = 64;
/// Weak references each thread keeps at most (then it lets one go).
const KEPT: usize = 48;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything counted, across threads.
#[derive(Debug, Default)]
struct Stats {
    ops: AtomicU64,
    objects_made: AtomicU64,
    objects_dropped: AtomicU64,
    callbacks_made: AtomicU64,
    callbacks_dropped: AtomicU64,
    callbacks_run: AtomicU64,
    /// Callbacks whose ref was held when its referent died: must all run.
    expected_runs: AtomicU64,
    /// Refs dropped or cancelled while their referent was held.
    released_alive: AtomicU64,
    /// Cancels, whether the referent was held (must succeed) or seen dead
    /// (must fail).
    cancels: AtomicU64,
    values_made: AtomicU64,
    values_dropped: AtomicU64,
    dict_ops: AtomicU64,
    proxy_uses: AtomicU64,
    mismatches: AtomicU64,
}

impl Stats {
    fn mismatch(&self, what: &str) {
        if self.mismatches.fetch_add(1, SeqCst) < 10 {
            eprintln!("soak: MISMATCH: {what}");
        }
    }
}

/// A soak object: equal and hashed by its unique id; counts its drop.
#[derive(Referent)]
struct Obj {
    id: u64,
    header: Header,
    stats: Option<Arc<Stats>>,
}

impl Obj {
    fn new(stats: &Arc<Stats>) -> Arc<Obj> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        stats.objects_made.fetch_add(1, SeqCst);
        Arc::new(Obj {
            id: NEXT.fetch_add(1, SeqCst),
            header: Header::new(),
            stats: Some(Arc::clone(stats)),
        })
    }

    /// An equal object to look a (possibly dead) key up by.
    fn probe(id: u64) -> Obj {
        Obj {
            id,
            header: Header::new(),
            stats: None,
        }
    }
}

impl Drop for Obj {
    fn drop(&mut self) {
        if let Some(stats) = &self.stats {
            stats.objects_dropped.fetch_add(1, SeqCst);
        }
    }
}

impl PartialEq for Obj {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Obj {}

impl Hash for Obj {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

/// A `WeakKeyDictionary` value that counts its drop.
struct Value(Arc<Stats>);

impl Value {
    fn new(stats: &Arc<Stats>) -> Value {
        stats.values_made.fetch_add(1, SeqCst);
        Value(Arc::clone(stats))
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        self.0.values_dropped.fetch_add(1, SeqCst);
    }
}

/// What a callback owns: it may hold another object (whose last strong
/// reference it can be), dropped when it runs or with it.
struct Payload {
    ran: Arc<AtomicBool>,
    held: Option<Arc<Obj>>,
    stats: Arc<Stats>,
}

impl Payload {
    fn new(stats: &Arc<Stats>, held: Option<Arc<Obj>>) -> (Arc<AtomicBool>, Payload) {
        stats.callbacks_made.fetch_add(1, SeqCst);
        let ran = Arc::new(AtomicBool::new(false));
        let payload = Payload {
            ran: Arc::clone(&ran),
            held,
            stats: Arc::clone(stats),
        };
        (ran, payload)
    }

    fn run(mut self, ref_alive: bool) {
        if ref_alive {
            self.stats
                .mismatch("a callback was given a live weak reference");
        }
        if self.ran.swap(true, SeqCst) {
            self.stats.mismatch("a callback ran twice");
        }
        self.stats.callbacks_run.fetch_add(1, SeqCst);
        drop(self.held.take());
    }
}

impl Drop for Payload {
    fn drop(&mut self) {
        self.stats.callbacks_dropped.fetch_add(1, SeqCst);
    }
}

/// State shared by all threads.
struct Shared {
    stats: Arc<Stats>,
    slots: Vec<Mutex<Option<Arc<Obj>>>>,
    wkd: Mutex<WeakKeyDictionary<Obj, Value>>,
    wvd: Mutex<WeakValueDictionary<u64, Obj>>,
    set: Mutex<WeakSet<Obj>>,
    /// Used by every thread at once, with no lock of ours.
    cache: ConcurrentWeakValueDictionary<u64, Obj>,
}

/// A weak reference with a callback, or a finalizer, kept by one thread.
enum Kept {
    Ref(Ref<Obj>, Arc<AtomicBool>),
    Proxy(Proxy<Obj>, Arc<AtomicBool>),
    Finalize(Finalize<Obj>, Arc<AtomicBool>),
}

/// One thread's weak references and its own dictionary.
struct Local {
    rng: u64,
    plain: Vec<Ref<Obj>>,
    kept: Vec<Kept>,
    /// Callbacks of refs seen dead (then let go) that had not run yet (the
    /// death still under way on another thread): checked once the threads
    /// are joined.
    dying: Vec<Arc<AtomicBool>>,
    own: WeakValueDictionary<u64, Obj>,
}

impl Local {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

impl Shared {
    fn new(stats: &Arc<Stats>) -> Shared {
        Shared {
            slots: (0..SLOTS)
                .map(|_| Mutex::new(Some(Obj::new(stats))))
                .collect(),
            stats: Arc::clone(stats),
            wkd: Mutex::new(WeakKeyDictionary::new()),
            wvd: Mutex::new(WeakValueDictionary::new()),
            set: Mutex::new(WeakSet::new()),
            cache: ConcurrentWeakValueDictionary::new(),
        }
    }

    fn object(&self, local: &mut Local) -> Option<Arc<Obj>> {
        lock(&self.slots[local.below(SLOTS)]).clone()
    }

    /// Lets a kept callback ref or finalizer go. Referent held: its
    /// callback must never run (dropped, or cancelled or detached, which
    /// must succeed), except a finalizer called now, which runs at once.
    /// Referent dead: its callback must run exactly once (perhaps still
    /// running elsewhere).
    fn release(&self, local: &mut Local, kept: Kept, cancel: bool) {
        let stats = &self.stats;
        let (held, ran) = match &kept {
            Kept::Ref(r, ran) => (r.get(), Arc::clone(ran)),
            Kept::Proxy(p, ran) => (p.get().ok(), Arc::clone(ran)),
            // Only this thread calls or detaches it, so `None` means its
            // object was seen dead.
            Kept::Finalize(f, ran) => (f.peek(), Arc::clone(ran)),
        };
        if held.is_none() {
            // Seen dead while held: the callback is due, even if the dying
            // thread has not claimed it yet; letting the ref go (or
            // cancelling it, which must fail) cannot stop it.
            stats.expected_runs.fetch_add(1, SeqCst);
            match kept {
                Kept::Ref(r, _) if cancel => {
                    stats.cancels.fetch_add(1, SeqCst);
                    if r.cancel() {
                        stats.mismatch("cancel succeeded after the referent was seen dead");
                    }
                }
                Kept::Finalize(f, _) => {
                    if f.detach().is_some() {
                        stats.mismatch("a finalizer detached after its object was seen dead");
                    }
                }
                other => drop(other),
            }
            if !ran.load(SeqCst) {
                local.dying.push(ran);
            }
            return;
        }
        match kept {
            Kept::Ref(r, _) if cancel => {
                stats.cancels.fetch_add(1, SeqCst);
                if !r.cancel() {
                    stats.mismatch("cancel failed while the referent was held");
                }
            }
            Kept::Finalize(f, _) if !cancel => {
                // Called while its object is held: runs now, exactly once.
                stats.expected_runs.fetch_add(1, SeqCst);
                if !f.call() || !ran.load(SeqCst) || f.alive() {
                    stats.mismatch("a finalizer called while its object was held did not run");
                }
                return;
            }
            Kept::Finalize(f, _) => {
                stats.cancels.fetch_add(1, SeqCst);
                match f.detach() {
                    Some((obj, func)) => drop((obj, func)),
                    None => stats.mismatch("detach failed while the object was held"),
                }
            }
            other => drop(other),
        }
        if ran.load(SeqCst) {
            stats.mismatch("the callback of a live object ran");
        }
        stats.released_alive.fetch_add(1, SeqCst);
        drop(held);
    }

    fn step(&self, local: &mut Local) {
        let stats = &self.stats;
        match local.below(16) {
            // Deaths: replace or empty a slot (the old object may live on
            // through other threads' temporaries and callbacks).
            0 => {
                let fresh = Obj::new(stats);
                let old = lock(&self.slots[local.below(SLOTS)]).replace(fresh);
                drop(old);
            }
            1 => {
                let old = lock(&self.slots[local.below(SLOTS)]).take();
                drop(old);
            }
            // Shared refs: create, clone, get, drop.
            2 | 3 => {
                if let Some(obj) = self.object(local) {
                    let r = Ref::new(&obj);
                    if getweakrefcount(&obj) == 0 {
                        stats.mismatch("getweakrefcount is 0 with a live ref");
                    }
                    if local.plain.len() >= KEPT {
                        let i = local.below(KEPT);
                        local.plain.swap_remove(i);
                    }
                    local.plain.push(r.clone());
                }
            }
            4 => {
                if !local.plain.is_empty() {
                    let i = local.below(local.plain.len());
                    if let Some(o) = local.plain[i].get() {
                        let again = Ref::new(&o);
                        if !Ref::ptr_eq(&again, &local.plain[i]) {
                            stats.mismatch("Ref::new is not the shared ref");
                        }
                    }
                }
            }
            // Callback refs and proxies, holding another object sometimes.
            5..=7 => {
                let Some(obj) = self.object(local) else {
                    return;
                };
                let held = if local.below(3) == 0 {
                    self.object(local)
                } else {
                    None
                };
                let (ran, payload) = Payload::new(stats, held);
                let kept = match local.below(6) {
                    0 => Kept::Proxy(
                        proxy_with_callback(&obj, move |p: &Proxy<Obj>| payload.run(p.is_alive())),
                        ran,
                    ),
                    1 => Kept::Finalize(finalize(&obj, move || payload.run(false)), ran),
                    _ => Kept::Ref(
                        Ref::with_callback(&obj, move |r: &Ref<Obj>| payload.run(r.is_alive())),
                        ran,
                    ),
                };
                drop(obj);
                if local.kept.len() >= KEPT {
                    let i = local.below(KEPT);
                    let old = local.kept.swap_remove(i);
                    let cancel = local.below(2) == 0;
                    self.release(local, old, cancel);
                }
                local.kept.push(kept);
            }
            8 => {
                if !local.kept.is_empty() {
                    let i = local.below(local.kept.len());
                    match &local.kept[i] {
                        Kept::Ref(r, _) => drop(r.clone().get()),
                        Kept::Proxy(p, _) => {
                            stats.proxy_uses.fetch_add(1, SeqCst);
                            let _ = p.with(|o| o.id);
                        }
                        Kept::Finalize(f, _) => {
                            // Held, its object cannot die: the finalizer
                            // stays alive (only this thread calls it).
                            if let Some(obj) = f.peek() {
                                if !f.alive() {
                                    stats.mismatch("the finalizer of a held object is not alive");
                                }
                                drop(obj);
                            }
                        }
                    }
                }
            }
            9 => {
                if let Some(obj) = self.object(local) {
                    let p = proxy(&obj);
                    stats.proxy_uses.fetch_add(1, SeqCst);
                    if p.with(|o| o.id).is_err() {
                        stats.mismatch("a proxy failed while its referent was held");
                    }
                    drop(obj);
                }
            }
            // Shared dictionaries.
            10 | 11 => {
                stats.dict_ops.fetch_add(1, SeqCst);
                let obj = self.object(local);
                let id = obj.as_ref().map_or_else(|| local.next() % 64, |o| o.id);
                match (local.below(5), obj) {
                    (0, Some(obj)) => drop(lock(&self.wkd).insert(&obj, Value::new(stats))),
                    (1, Some(obj)) => drop(lock(&self.wvd).insert(id % 32, &obj)),
                    (2, Some(obj)) => drop(lock(&self.set).insert(&obj)),
                    (3, Some(obj)) => drop(self.cache.insert(id % 32, &obj)),
                    (4, Some(obj)) => {
                        let got = self.cache.get_or_insert_with(id % 32, || Arc::clone(&obj));
                        if got.id % 32 != id % 32 {
                            stats.mismatch("ConcurrentWeakValueDictionary gave a wrong value");
                        }
                    }
                    _ => {}
                }
            }
            12 => {
                stats.dict_ops.fetch_add(1, SeqCst);
                let probe = Obj::probe(local.next() % 4096);
                match local.below(4) {
                    0 => drop(lock(&self.wkd).remove(&probe)),
                    1 => drop(lock(&self.wvd).remove(&(probe.id % 32))),
                    2 => drop(self.cache.remove(&(probe.id % 32))),
                    _ => drop(lock(&self.set).remove(&probe)),
                }
            }
            13 => {
                stats.dict_ops.fetch_add(1, SeqCst);
                if let Some(obj) = self.object(local) {
                    let wkd = lock(&self.wkd);
                    let found = wkd.get(&obj).is_some();
                    if found != wkd.contains_key(&obj) {
                        stats.mismatch("WeakKeyDictionary get and contains_key disagree");
                    }
                    drop(wkd);
                    let _ = lock(&self.set).contains(&obj);
                }
                let got = lock(&self.wvd).get(&(local.next() % 32));
                drop(got);
                let key = local.next() % 32;
                if self.cache.get(&key).is_some_and(|o| o.id % 32 != key) {
                    stats.mismatch("ConcurrentWeakValueDictionary gave a wrong value");
                }
            }
            // This thread's own dictionary: deaths come from other threads.
            14 => {
                stats.dict_ops.fetch_add(1, SeqCst);
                if let Some(obj) = self.object(local) {
                    let key = obj.id % 16;
                    local.own.insert(key, &obj);
                }
                let key = local.next() % 16;
                if local.own.get(&key).is_some_and(|o| o.id % 16 != key) {
                    stats.mismatch("a thread's WeakValueDictionary gave a wrong value");
                }
            }
            _ => {
                if !local.kept.is_empty() {
                    let i = local.below(local.kept.len());
                    let old = local.kept.swap_remove(i);
                    let cancel = local.below(2) == 0;
                    self.release(local, old, cancel);
                }
            }
        }
        stats.ops.fetch_add(1, SeqCst);
    }
}

struct Args {
    seconds: f64,
    threads: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seconds: 60.0,
        threads: thread::available_parallelism().map_or(4, |n| n.get().max(2)),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--seconds" => args.seconds = value.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--threads" => args.threads = value.parse().map_err(|e| format!("--threads: {e}"))?,
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    if args.threads == 0 {
        return Err("--threads must be at least 1".into());
    }
    Ok(args)
}

/// Checks the dictionaries when no thread is running: `len` is what they
/// hold alive, and lookups agree with iteration.
fn check_dictionaries(shared: &Shared) {
    let stats = &shared.stats;
    let wkd = lock(&shared.wkd);
    if wkd.len() != wkd.iter().count() {
        stats.mismatch("WeakKeyDictionary len is not its live entries");
    }
    if wkd.iter().any(|(k, _)| !wkd.contains_key(&k)) {
        stats.mismatch("WeakKeyDictionary iteration and contains_key disagree");
    }
    let wvd = lock(&shared.wvd);
    if wvd.len() != wvd.iter().count() {
        stats.mismatch("WeakValueDictionary len is not its live entries");
    }
    if wvd
        .iter()
        .any(|(k, v)| wvd.get(k).is_none_or(|g| !Arc::ptr_eq(&g, &v)))
    {
        stats.mismatch("WeakValueDictionary iteration and get disagree");
    }
    let set = lock(&shared.set);
    if set.len() != set.iter().count() || set.iter().any(|o| !set.contains(&o)) {
        stats.mismatch("WeakSet len is not its live entries");
    }
    let cache = &shared.cache;
    if cache.len() != cache.iter().count() {
        stats.mismatch("ConcurrentWeakValueDictionary len is not its live entries");
    }
    if cache
        .iter()
        .any(|(k, v)| cache.get(&k).is_none_or(|g| !Arc::ptr_eq(&g, &v)))
    {
        stats.mismatch("ConcurrentWeakValueDictionary iteration and get disagree");
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("soak: {e}\nusage: soak [--seconds S] [--threads N]");
            return ExitCode::from(2);
        }
    };
    let stats = Arc::new(Stats::default());
    let shared = Arc::new(Shared::new(&stats));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(args.seconds);
    let barrier = Arc::new(Barrier::new(args.threads));
    println!(
        "soak: {} threads for {} s, {SLOTS} shared object slots",
        args.threads, args.seconds
    );
    let workers: Vec<_> = (0..args.threads)
        .map(|t| {
            let (shared, barrier) = (Arc::clone(&shared), Arc::clone(&barrier));
            thread::spawn(move || {
                let mut local = Local {
                    rng: 0x9E37_79B9_7F4A_7C15 ^ (t as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
                    plain: Vec::new(),
                    kept: Vec::new(),
                    dying: Vec::new(),
                    own: WeakValueDictionary::new(),
                };
                barrier.wait();
                while Instant::now() < deadline {
                    for _ in 0..256 {
                        shared.step(&mut local);
                    }
                }
                local
            })
        })
        .collect();
    let mut locals: Vec<Local> = Vec::new();
    for w in workers {
        match w.join() {
            Ok(local) => locals.push(local),
            Err(_) => stats.mismatch("a thread panicked"),
        }
    }
    let ran_for = started.elapsed();

    // Quiescent: every death has finished, so every callback seen dead ran.
    for local in &mut locals {
        for ran in local.dying.drain(..) {
            if !ran.load(SeqCst) {
                stats.mismatch("a callback of a ref alive at its referent's death never ran");
            }
        }
        if local.own.len() != local.own.iter().count() {
            stats.mismatch("a thread's WeakValueDictionary len is not its live entries");
        }
    }
    check_dictionaries(&shared);

    // Teardown: empty the slots, let every ref go, drop the dictionaries.
    for slot in &shared.slots {
        let old = lock(slot).take();
        drop(old);
    }
    for local in &mut locals {
        while let Some(kept) = local.kept.pop() {
            shared.release(local, kept, false);
        }
        local.plain.clear();
        for ran in local.dying.drain(..) {
            if !ran.load(SeqCst) {
                stats.mismatch("a callback of a ref alive at its referent's death never ran");
            }
        }
        // Not empty yet, necessarily: another thread's callback may still
        // hold one of its values (a callback's payload holds an object; two
        // such callbacks on each other's objects keep both alive until their
        // refs go). Deaths here are on this thread, so the count is exact.
        if local.own.len() != local.own.iter().count() {
            stats.mismatch("a thread's WeakValueDictionary len is not its live entries");
        }
    }
    // Every ref and callback is gone, and deaths are synchronous on this
    // thread: nothing can keep an object alive any more.
    let alive = stats.objects_made.load(SeqCst) - stats.objects_dropped.load(SeqCst);
    if alive != 0 {
        stats.mismatch(&format!("{alive} objects outlived every reference to them"));
    }
    for local in &locals {
        if !local.own.is_empty() {
            stats.mismatch("a thread's WeakValueDictionary is not empty at the end");
        }
    }
    drop(locals);
    check_dictionaries(&shared);
    {
        let (mut wkd, wvd, set) = (lock(&shared.wkd), lock(&shared.wvd), lock(&shared.set));
        if !wkd.is_empty() || !wvd.is_empty() || !set.is_empty() || !shared.cache.is_empty() {
            stats.mismatch("a dictionary is not empty once every object is dead");
        }
        wkd.clear(); // a `&mut` operation: drops the dead keys' values
        if stats.values_made.load(SeqCst) != stats.values_dropped.load(SeqCst) {
            stats.mismatch("dictionary values not dropped after a &mut operation");
        }
    }
    drop(shared);

    let get = |c: &AtomicU64| c.load(SeqCst);
    let ops = get(&stats.ops);
    println!(
        "operations: {ops} in {:.1} s ({:.0}/s)",
        ran_for.as_secs_f64(),
        ops as f64 / ran_for.as_secs_f64()
    );
    println!(
        "objects: {} made, {} dropped (deaths)",
        get(&stats.objects_made),
        get(&stats.objects_dropped)
    );
    println!(
        "callbacks: {} made, {} run, {} expected to run (ref held at death), {} let go while the referent was held, {} cancels and detaches, {} dropped",
        get(&stats.callbacks_made),
        get(&stats.callbacks_run),
        get(&stats.expected_runs),
        get(&stats.released_alive),
        get(&stats.cancels),
        get(&stats.callbacks_dropped)
    );
    println!(
        "dictionary operations: {}, values {} made, {} dropped; proxy uses: {}",
        get(&stats.dict_ops),
        get(&stats.values_made),
        get(&stats.values_dropped),
        get(&stats.proxy_uses)
    );
    let balanced = [
        (
            "callbacks run == refs alive at death",
            get(&stats.callbacks_run),
            get(&stats.expected_runs),
        ),
        (
            "callbacks made == run + released alive",
            get(&stats.callbacks_made),
            get(&stats.callbacks_run) + get(&stats.released_alive),
        ),
        (
            "callbacks made == dropped",
            get(&stats.callbacks_made),
            get(&stats.callbacks_dropped),
        ),
        (
            "objects made == dropped",
            get(&stats.objects_made),
            get(&stats.objects_dropped),
        ),
        (
            "dictionary values made == dropped",
            get(&stats.values_made),
            get(&stats.values_dropped),
        ),
    ];
    for (what, a, b) in balanced {
        if a != b {
            stats.mismatch(&format!("{what}: {a} != {b}"));
        }
    }
    let mismatches = get(&stats.mismatches);
    println!("mismatches: {mismatches}");
    if mismatches == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
