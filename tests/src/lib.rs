//! Shared helpers for the integration tests.
//!
//! - [`Obj`]: the plain test referent (CPython's `C`/`Object(arg)`): an `id`,
//!   equal and hashed by it, with a weakref header.
//! - [`Counter`]: counts callback calls (CPython's `TestBase.callback`).
//! - [`DropFlag`]: tells when a value (e.g. a callback closure) was dropped.
//! - [`collect_unraisable`]: captures what the unraisable hook is told about
//!   panics on the current thread, so tests running in parallel (each on its
//!   own thread) do not see each other's reports.
//! - [`ChildTest`]: runs one test of the current test binary alone in a child
//!   process, for what is process-wide (the unraisable hook, stderr, exit).
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::thread::{self, ThreadId};

use weakref::{Header, Ref, Referent, UnraisableInfo, set_unraisable_hook};

pub mod flavour;

/// The plain test referent: CPython's `Object(arg)` (equal and hashed by
/// `id`; the header takes no part in either).
#[derive(Referent, PartialEq, Eq, Hash, Debug, Default)]
pub struct Obj {
    /// What the object is equal and hashed by.
    pub id: u32,
    /// The weakref header.
    pub header: Header,
}

impl Obj {
    /// A new `Arc<Obj>`.
    #[must_use]
    pub fn new(id: u32) -> Arc<Obj> {
        Arc::new(Obj {
            id,
            header: Header::new(),
        })
    }
}

/// Counts calls of the callbacks it makes (CPython's `self.cbcalled`).
#[derive(Clone, Debug, Default)]
pub struct Counter(Arc<AtomicUsize>);

impl Counter {
    /// A counter at zero.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many calls so far.
    #[must_use]
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// Counts one call.
    pub fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// A callback that counts its call and checks that it is given a dead ref.
    pub fn callback<T: ?Sized + Referent>(&self) -> impl FnOnce(&Ref<T>) + Send + 'static {
        let counter = self.clone();
        move |r: &Ref<T>| {
            assert!(
                r.get().is_none(),
                "a callback is given a dead weak reference"
            );
            counter.hit();
        }
    }
}

/// Set when the [`DropGuard`] it made is dropped; capture the guard in a
/// closure to see when the closure is dropped.
#[derive(Clone, Debug, Default)]
pub struct DropFlag(Arc<AtomicBool>);

/// Sets its [`DropFlag`] when dropped.
#[derive(Debug)]
pub struct DropGuard(Arc<AtomicBool>);

impl DropFlag {
    /// A flag that is not set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A guard that sets this flag when dropped.
    #[must_use]
    pub fn guard(&self) -> DropGuard {
        DropGuard(Arc::clone(&self.0))
    }

    /// Whether the guard was dropped.
    #[must_use]
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// One report the unraisable hook received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unraisable {
    /// [`UnraisableInfo::message`]: the panic message.
    pub message: String,
    /// [`UnraisableInfo::context`]: e.g. `"weakref callback"`.
    pub context: String,
}

/// Serialises the tests that need the default hook against those that
/// install the collecting one (the hook is process-wide).
static HOOK_GUARD: RwLock<()> = RwLock::new(());

/// Reports per capturing thread; threads not in the map are not capturing.
fn reports() -> &'static Mutex<HashMap<ThreadId, Vec<Unraisable>>> {
    static REPORTS: OnceLock<Mutex<HashMap<ThreadId, Vec<Unraisable>>>> = OnceLock::new();
    REPORTS.get_or_init(Mutex::default)
}

fn collecting_hook(info: &UnraisableInfo<'_>) {
    let mut reports = reports().lock().unwrap_or_else(PoisonError::into_inner);
    match reports.get_mut(&info.thread) {
        Some(list) => list.push(Unraisable {
            message: info.message.to_owned(),
            context: info.context.to_owned(),
        }),
        // Not a capturing thread: print it as the default hook would.
        None => eprintln!("Exception ignored in {}: {}", info.context, info.message),
    }
}

/// Stops capturing for a thread, also when the closure panics.
struct Capturing(ThreadId);

impl Drop for Capturing {
    fn drop(&mut self) {
        reports()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.0);
    }
}

/// Runs `f` with a collecting unraisable hook installed and returns what
/// the hook was told about panics on this thread while `f` ran.
pub fn collect_unraisable<R>(f: impl FnOnce() -> R) -> (R, Vec<Unraisable>) {
    let _shared = HOOK_GUARD.read().unwrap_or_else(PoisonError::into_inner);
    set_unraisable_hook(Some(Arc::new(collecting_hook)));
    let me = thread::current().id();
    reports()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(me, Vec::new());
    let capturing = Capturing(me);
    let result = f();
    let collected = reports()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_mut(&me)
        .map(std::mem::take)
        .unwrap_or_default();
    drop(capturing);
    (result, collected)
}

/// Runs `f` with the default unraisable hook (the one that prints to
/// stderr), excluding every [`collect_unraisable`] meanwhile.
pub fn with_default_unraisable_hook<R>(f: impl FnOnce() -> R) -> R {
    let _exclusive = HOOK_GUARD.write().unwrap_or_else(PoisonError::into_inner);
    set_unraisable_hook(None);
    f()
}

/// One test of the current test binary, run alone in a child process with
/// an environment variable set that makes its body run (a child-test body
/// returns at once unless [`ChildTest::is_child`] says it is the child).
/// For what is process-wide: the unraisable hook, standard error, exit.
#[derive(Debug)]
pub struct ChildTest {
    command: std::process::Command,
}

impl ChildTest {
    /// Whether this process is the child started for a test body with
    /// `marker` (the environment variable it sets).
    pub fn is_child(marker: &str) -> bool {
        std::env::var_os(marker).is_some()
    }

    /// The command running test `name` (exact) alone, with `marker` set.
    pub fn new(name: &str, marker: &str) -> Self {
        let mut command =
            std::process::Command::new(std::env::current_exe().expect("the test binary"));
        command
            .args(["--exact", name, "--nocapture", "--test-threads=1"])
            .env(marker, "1")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        ChildTest { command }
    }

    /// The command, to adjust before [`spawn`](Self::spawn).
    pub fn command(&mut self) -> &mut std::process::Command {
        &mut self.command
    }

    /// Starts the child.
    pub fn spawn(&mut self) -> std::process::Child {
        self.command.spawn().expect("spawn the test binary")
    }

    /// Runs the child to completion and returns its output; panics if it
    /// takes over a minute (a deadlock in the child), killing it.
    pub fn run(&mut self) -> std::process::Output {
        wait_with_timeout(self.spawn())
    }
}

/// Waits for `child` for up to a minute, reading its output; kills it and
/// panics if it does not finish (a deadlock).
pub fn wait_with_timeout(mut child: std::process::Child) -> std::process::Output {
    use std::io::Read;
    fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
        thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut out);
            }
            out
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the child process did not finish within a minute (deadlock?)");
        }
        thread::sleep(std::time::Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}
