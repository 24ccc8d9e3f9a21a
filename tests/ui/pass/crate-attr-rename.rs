// `#[referent(crate = "...")]`: the library is reachable only under another
// path, as when a framework re-exports it. The derive then names that path
// (and its `__private` module) instead of `::weakref`.

use std::sync::Arc;

/// The facade renamed, as `pub use weakref as wr;` in a framework's root.
pub use weakref as wr;

/// A framework's prelude-style module that glob re-exports the facade
/// (the glob brings the hidden `__private` module the derive needs).
pub mod reexport {
    pub use weakref::*;
}

#[derive(wr::Referent)]
#[referent(crate = "wr")]
struct AtRoot {
    header: wr::Header,
}

mod nested {
    #[derive(crate::wr::Referent)]
    #[referent(crate = "crate::wr")]
    pub struct InModule {
        pub header: crate::wr::Header,
    }

    #[derive(crate::reexport::Referent)]
    #[referent(crate = "crate::reexport", callable)]
    pub struct ThroughGlob {
        pub header: crate::reexport::Header,
    }

    impl crate::reexport::Callable for ThroughGlob {
        type Args = ();
        type Output = &'static str;
        fn call(&self, (): ()) -> &'static str {
            "called"
        }
    }
}

/// The core crate renamed works the same way.
mod core_renamed {
    pub use weakref_core as wc;

    #[derive(wc::Referent)]
    #[referent(crate = "self::wc")]
    pub struct Core {
        pub header: wc::Header,
    }
}

fn main() {
    let a = Arc::new(AtRoot {
        header: wr::Header::new(),
    });
    assert!(wr::Ref::new(&a).get().is_some());
    let b = Arc::new(nested::InModule {
        header: wr::Header::new(),
    });
    assert_eq!(wr::getweakrefcount(&b), 0);
    let c = Arc::new(nested::ThroughGlob {
        header: reexport::Header::new(),
    });
    let r = reexport::Ref::new(&c);
    assert_eq!(reexport::Callable::call(&*r.get().unwrap(), ()), "called");
    let d = Arc::new(core_renamed::Core {
        header: weakref_core::Header::new(),
    });
    assert!(weakref_core::Ref::new(&d).get().is_some());
}
