// Mistake: two fields with types named `Header`, both from other modules,
// and no field that names `weakref::Header`. The derive cannot tell which is
// meant: the error asks to mark the referent's `weakref::Header`, and never
// suggests removing a field (both are data the struct needs).

use weakref::Referent;

mod proto {
    pub struct Header;
}

mod wire {
    pub struct Header;
}

#[derive(Referent)]
struct Packet {
    outer: proto::Header,
    inner: wire::Header,
}

fn main() {}
