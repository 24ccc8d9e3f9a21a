// A struct with two fields whose types are named `Header`: a user type
// `proto::Header` (a wire-format header) and `weakref::Header`. The derive
// prefers the path that names this library's header, so no mark is needed,
// and the other field stays plain data. Also with the bare name imported
// from `weakref` beside a qualified foreign one, and through the
// `crate = ".."` path.

use std::sync::Arc;

use weakref::{Header, Ref, Referent, getweakrefcount};

mod proto {
    /// A wire-format header that has nothing to do with weak references.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Header {
        pub length: u32,
    }
}

#[derive(Referent)]
struct Packet {
    header: proto::Header,
    weak: weakref::Header,
    payload: Vec<u8>,
}

#[derive(Referent)]
struct Framed(proto::Header, Header);

pub use weakref as wr;

#[derive(wr::Referent)]
#[referent(crate = "wr")]
struct Renamed {
    wire: proto::Header,
    weak: wr::Header,
}

fn main() {
    let p = Arc::new(Packet {
        header: proto::Header { length: 3 },
        weak: Header::new(),
        payload: vec![1, 2, 3],
    });
    let r = Ref::new(&p);
    assert_eq!(getweakrefcount(&p), 1);
    let got = r.get().unwrap();
    assert_eq!(got.header.length, 3);
    assert_eq!(got.payload.len(), 3);
    drop(got);
    drop(p);
    assert!(r.get().is_none());

    let f = Arc::new(Framed(proto::Header { length: 0 }, Header::new()));
    assert_eq!(Ref::new(&f).get().unwrap().0, proto::Header { length: 0 });

    let n = Arc::new(Renamed {
        wire: proto::Header { length: 1 },
        weak: Header::new(),
    });
    assert_eq!(wr::Ref::new(&n).get().unwrap().wire.length, 1);
}
