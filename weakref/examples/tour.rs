//! A tour of `weakref`: every feature, with what happens printed.
//!
//! Run with `cargo run --example tour`.

use std::sync::{Arc, Mutex};

use weakref::{Function, Proxy, proxy, proxy_with_callback};
use weakref::{Header, Ref, ReferenceError, Referent, getweakrefcount, getweakrefs};
use weakref::{WeakKeyDictionary, WeakSet, WeakValueDictionary};
use weakref::{WeakMethod, Weakable, finalize};

/// A weakly referenceable object: a `Header` field and the derive.
#[derive(Referent, Debug, PartialEq, Eq, Hash)]
struct Node {
    name: String,
    header: Header,
}

fn node(name: &str) -> Arc<Node> {
    Arc::new(Node {
        name: name.to_owned(),
        header: Header::new(),
    })
}

fn references() {
    println!("== weak references ==");
    let a = node("a");
    let r = Ref::new(&a);
    println!("ref(a) = {r:?}");
    println!("ref(a)() = {:?}", r.get().map(|n| n.name.clone()));
    println!(
        "ref(a) is ref(a): {} (the callback-less ref is shared)",
        Ref::ptr_eq(&r, &Ref::new(&a))
    );
    drop(a);
    println!(
        "after del a: ref(a)() = {:?}, {r:?}",
        r.get().map(|n| n.name.clone())
    );
}

fn callbacks() {
    println!("== callbacks ==");
    let log = Arc::new(Mutex::new(Vec::new()));
    let b = node("b");
    let mut kept = Vec::new();
    for i in 1..=3 {
        let log = Arc::clone(&log);
        let r = Ref::with_callback(&b, move |r: &Ref<Node>| {
            log.lock()
                .unwrap()
                .push(format!("callback {i} (ref dead: {})", !r.is_alive()));
        });
        // Dropping the only handle before the object dies cancels the callback.
        if i != 2 {
            kept.push(r);
        }
    }
    println!("getweakrefcount(b) = {}", getweakrefcount(&b));
    drop(b);
    for line in log.lock().unwrap().iter() {
        println!("  {line}");
    }
    println!("(newest first; callback 2's ref was dropped before b, so it never ran)");

    weakref::set_unraisable_hook(Some(Arc::new(|info: &weakref::UnraisableInfo<'_>| {
        println!("  unraisable in {}: {}", info.context, info.message);
    })));
    let c = node("c");
    let _r = Ref::with_callback(&c, |_| panic!("callbacks cannot propagate panics"));
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    drop(c);
    std::panic::set_hook(previous);
    weakref::set_unraisable_hook(None);
    println!("the drop that ran the panicking callback returned normally");
}

fn introspection() {
    println!("== getweakrefcount / getweakrefs / hash / eq ==");
    let d = node("d");
    let old = Ref::with_callback(&d, |_| ());
    let new = Ref::with_callback(&d, |_| ());
    let shared = Ref::new(&d);
    let refs = getweakrefs(&d);
    println!("getweakrefcount(d) = {}", getweakrefcount(&d));
    println!(
        "getweakrefs(d) order: shared={}, newest={}, oldest={}",
        Ref::ptr_eq(&refs[0], &shared),
        Ref::ptr_eq(&refs[1], &new),
        Ref::ptr_eq(&refs[2], &old)
    );
    let twin = node("d");
    println!(
        "ref(d) == ref(twin) while both alive: {}",
        Ref::new(&twin) == shared
    );
    let hash = shared.try_hash().unwrap();
    drop(d);
    println!(
        "after death: hash kept = {}, unhashed ref -> {:?}",
        shared.try_hash() == Ok(hash),
        old.try_hash().map_err(|ReferenceError| "ReferenceError")
    );
}

fn proxies() {
    println!("== proxies ==");
    let e = node("e");
    let p = proxy(&e);
    println!("proxy(e) = {p:?}");
    println!("proxy(e).name = {:?}", p.with(|n| n.name.clone()));
    println!(
        "proxy(e) is proxy(e): {}; proxy(e) == e: {}",
        Proxy::ptr_eq(&p, &proxy(&e)),
        p == *e
    );
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = Arc::clone(&log);
    let _q = proxy_with_callback(&e, move |q: &Proxy<Node>| {
        l.lock()
            .unwrap()
            .push(format!("proxy callback got its proxy: {q:?}"));
    });
    let _r = Ref::new(&e);
    println!(
        "getweakrefcount(e) = {} (ref, proxy, proxy with callback)",
        getweakrefcount(&e)
    );
    let f = Arc::new(Function::new(|x: i32| x * 2));
    let double = proxy(&f); // a CallableProxy: Function is callable
    println!("proxy(double)(21) = {:?}", double.call(21));
    drop(e);
    drop(f);
    for line in log.lock().unwrap().iter() {
        println!("  {line}");
    }
    println!(
        "after del e: proxy(e).name -> {:?}",
        p.with(|n| n.name.clone())
    );
    println!(
        "after del double: proxy(double)(21) -> {:?}",
        double.call(21)
    );
    println!("  {p:?}");
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let twin = node("e");
    let compared = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p == *twin));
    std::panic::set_hook(previous);
    let payload = compared.unwrap_err();
    let message = payload.downcast_ref::<String>().map_or("?", String::as_str);
    println!(
        "proxy(e) == x panics: {message:?}; p.try_eq(x) = {:?}",
        p.try_eq(&*twin)
    );
}

fn dictionaries() {
    println!("== weak dictionaries ==");
    // A cache: values live as long as someone uses them, then drop out.
    let mut cache: WeakValueDictionary<String, Node> = WeakValueDictionary::new();
    let mut loads = 0;
    let mut load = |cache: &mut WeakValueDictionary<String, Node>, name: &str| {
        cache.get_or_insert_with(name.to_owned(), || {
            loads += 1;
            node(name)
        })
    };
    let f1 = load(&mut cache, "f");
    let f2 = load(&mut cache, "f");
    println!(
        "cache: same object both times: {}, len = {}",
        Arc::ptr_eq(&f1, &f2),
        cache.len()
    );
    drop((f1, f2));
    println!(
        "cache after the last user dropped it: len = {}",
        cache.len()
    );
    let _f3 = load(&mut cache, "f");
    println!("loaded {loads} times (once more after it died)");

    // A side table: data attached to objects owned elsewhere.
    let (g, h) = (node("g"), node("h"));
    let mut notes = WeakKeyDictionary::new();
    notes.insert(&g, "first");
    notes.insert(&h, "second");
    println!(
        "notes[g] = {:?}; getweakrefcount(g) = {}",
        notes[&g],
        getweakrefcount(&g)
    );
    drop(g);
    println!("after del g: len = {}, {notes:?}", notes.len());

    let mut set = WeakSet::new();
    set.insert(&h);
    println!("WeakSet with h: {} element(s)", set.len());
    drop(h);
    println!("after del h: {} element(s), notes: {notes:?}", set.len());
}

/// An observer bus over `dyn Trait` listeners: the trait has `Referent` as a
/// supertrait, and `Ref::coerce` turns a `Ref<Logger>` into a
/// `Ref<dyn Observer>` (the same weak reference object).
trait Observer: Referent + Send + Sync {
    fn notify(&self, event: &str) -> String;
}

#[derive(Referent)]
struct Logger {
    prefix: &'static str,
    header: Header,
}

impl Observer for Logger {
    fn notify(&self, event: &str) -> String {
        format!("{}{event}", self.prefix)
    }
}

fn trait_objects() {
    println!("== trait objects ==");
    let logger = Arc::new(Logger {
        prefix: "log: ",
        header: Header::new(),
    });
    let audit: Arc<dyn Observer> = Arc::new(Logger {
        prefix: "audit: ",
        header: Header::new(),
    });
    let observers: Vec<Ref<dyn Observer>> = vec![
        Ref::new(&logger).coerce(|w| w as std::sync::Weak<dyn Observer>),
        Ref::new(&audit),
    ];
    let emit = |event: &str| -> Vec<String> {
        observers
            .iter()
            .filter_map(|o| o.get())
            .map(|o| o.notify(event))
            .collect()
    };
    println!("emit(\"saved\") -> {:?}", emit("saved"));
    println!(
        "coerced ref is ref(logger): {}; getweakrefcount(logger) = {}",
        Ref::ptr_eq(
            &observers[0],
            &Ref::new(&(logger.clone() as Arc<dyn Observer>))
        ),
        getweakrefcount(&logger)
    );
    drop(logger);
    println!("after del logger: emit(\"closed\") -> {:?}", emit("closed"));
}

fn identity_collections() {
    use weakref::{WeakIdentitySet, WeakKeyIdentityDictionary};

    println!("== identity collections ==");
    // Two editor windows on the same path are equal by value, but they are
    // two windows: an identity set keeps both, and never calls Hash or Eq.
    #[derive(Referent, PartialEq, Eq, Hash)]
    struct Window {
        path: &'static str,
        header: Header,
    }
    let window = |path| {
        Arc::new(Window {
            path,
            header: Header::new(),
        })
    };
    let (left, right) = (window("notes.txt"), window("notes.txt"));
    let mut by_value = WeakSet::new();
    by_value.insert(&left);
    by_value.insert(&right);
    let mut open: WeakIdentitySet<Window> = WeakIdentitySet::new();
    open.insert(&left);
    open.insert(&right);
    println!(
        "two equal windows: WeakSet holds {}, WeakIdentitySet holds {}",
        by_value.len(),
        open.len()
    );
    drop(left);
    println!("after closing one: the identity set holds {}", open.len());

    // An observer set of `dyn Trait` (no Hash on the trait needed), and a
    // side table attached to objects owned elsewhere.
    let logger: Arc<dyn Observer> = Arc::new(Logger {
        prefix: "log: ",
        header: Header::new(),
    });
    let mut observers: WeakIdentitySet<dyn Observer> = WeakIdentitySet::new();
    observers.insert(&logger);
    let mut seen: WeakKeyIdentityDictionary<dyn Observer, u32> = WeakKeyIdentityDictionary::new();
    *seen.entry(&logger).or_insert(0) += 1;
    *seen.entry(&logger).or_insert(0) += 1;
    let notes: Vec<String> = observers.iter().map(|o| o.notify("tick")).collect();
    println!(
        "observers say {notes:?}; events seen by logger: {}",
        seen[&*logger]
    );
    drop(logger);
    println!(
        "after del logger: {} observer(s), {} side-table entr(ies)",
        observers.len(),
        seen.len()
    );
}

fn shared_cache() {
    use weakref::ConcurrentWeakValueDictionary;

    println!("== a weak cache shared by threads ==");
    // Every thread asking for a texture gets the one loaded instance; a
    // missing key is loaded once, with no lock held by other keys' callers.
    let cache: ConcurrentWeakValueDictionary<String, Weakable<Vec<u8>>> =
        ConcurrentWeakValueDictionary::new();
    let loads = std::sync::atomic::AtomicUsize::new(0);
    let textures: Vec<_> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    cache.get_or_insert_with("sky.png".to_owned(), || {
                        loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        Arc::new(Weakable::new(vec![0x55; 64]))
                    })
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    println!(
        "4 threads, {} load(s), one instance: {}",
        loads.load(std::sync::atomic::Ordering::SeqCst),
        textures.iter().all(|t| Arc::ptr_eq(t, &textures[0]))
    );
    drop(textures);
    println!("after every user let go: {} cached", cache.len());
}

fn foreign_types() {
    println!("== Weakable: foreign types ==");
    let mut textures: WeakValueDictionary<String, Weakable<Vec<u8>>> = WeakValueDictionary::new();
    let brick = Arc::new(Weakable::new(vec![0x7f_u8; 16]));
    textures.insert("brick.png".to_owned(), &brick);
    println!(
        "a Vec<u8> in a WeakValueDictionary: {} bytes cached",
        textures.get("brick.png").map_or(0, |t| t.len())
    );
    drop(brick);
    println!("after the last user let go: len = {}", textures.len());
}

fn rc_flavour() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use weakref::rc;

    println!("== weakref::rc: single-threaded Rc programs ==");
    #[derive(Referent)]
    struct TreeNode {
        name: &'static str,
        parent: RefCell<rc::Ref<TreeNode>>,
        children: RefCell<Vec<Rc<TreeNode>>>,
        header: Header,
    }
    let tree_node = |name| {
        Rc::new(TreeNode {
            name,
            parent: RefCell::default(), // Ref::default(): no parent yet
            children: RefCell::default(),
            header: Header::new(),
        })
    };
    let log = Rc::new(RefCell::new(Vec::new()));
    let root = tree_node("root");
    for name in ["left", "right"] {
        let child = tree_node(name);
        *child.parent.borrow_mut() = rc::Ref::new(&root);
        root.children.borrow_mut().push(child);
    }
    let left = Rc::clone(&root.children.borrow()[0]);
    // A callback capturing an `Rc<RefCell<_>>`: no `Send` needed here.
    let sink = Rc::clone(&log);
    let _watch = rc::Ref::with_callback(&root, move |_| {
        sink.borrow_mut().push("root dropped");
    });
    println!(
        "left's parent: {:?}",
        left.parent.borrow().get().map(|p| p.name)
    );
    drop(root);
    println!(
        "after del root: left's parent: {:?}, log: {:?}",
        left.parent.borrow().get().map(|p| p.name),
        log.borrow()
    );
}

fn finalizers() {
    println!("== finalize ==");
    let log = Arc::new(Mutex::new(Vec::new()));
    let tmp = node("tmpdir");
    let l = Arc::clone(&log);
    finalize(&tmp, move || l.lock().unwrap().push("removed tmpdir")); // handle dropped
    let l = Arc::clone(&log);
    let manual = finalize(&tmp, move || l.lock().unwrap().push("closed by hand"));
    println!("manual.call() = {} (runs now, never again)", manual.call());
    drop(tmp);
    println!("after del tmpdir: {:?}", log.lock().unwrap());
}

fn weak_methods() {
    println!("== WeakMethod: signal and slots ==");
    #[derive(Referent)]
    struct Label {
        text: Mutex<String>,
        header: Header,
    }
    impl Label {
        fn set_text(&self, text: String) {
            *self.text.lock().unwrap() = text;
        }
    }
    let label = |text: &str| {
        Arc::new(Label {
            text: Mutex::new(text.to_owned()),
            header: Header::new(),
        })
    };
    let (title, status) = (label("title"), label("status"));
    // The signal holds its slots weakly: it never keeps a label alive.
    let mut slots = vec![
        WeakMethod::new(&title, Label::set_text),
        WeakMethod::new(&status, Label::set_text),
    ];
    let mut emit = |text: &str| {
        slots.retain(|slot| slot.call(text.to_owned()).is_ok());
        slots.len()
    };
    println!("emit(\"ready\") reached {} slot(s)", emit("ready"));
    drop(status);
    println!(
        "after del status: emit(\"saved\") reached {} slot(s); title = {:?}",
        emit("saved"),
        title.text.lock().unwrap()
    );
}

fn awaiting_a_death() {
    println!("== awaiting a death ==");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let owner = node("session");
        let owner_ref = Ref::new(&owner);
        // A task that works until its owner is dropped, then stops.
        let task = tokio::spawn(async move {
            let mut ticks = 0;
            let gone = owner_ref.dead();
            tokio::pin!(gone);
            loop {
                tokio::select! {
                    () = &mut gone => return ticks,
                    () = tokio::time::sleep(std::time::Duration::from_millis(2)) => ticks += 1,
                }
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        drop(owner);
        let ticks = task.await.expect("the task ends");
        println!("the task worked {ticks} tick(s), then stopped when its owner was dropped");
    });
}

fn main() {
    references();
    callbacks();
    introspection();
    proxies();
    dictionaries();
    trait_objects();
    identity_collections();
    foreign_types();
    shared_cache();
    rc_flavour();
    finalizers();
    weak_methods();
    awaiting_a_death();
}
