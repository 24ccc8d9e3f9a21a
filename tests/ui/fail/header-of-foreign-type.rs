// Mistake: the struct's only field with a type named `Header` is a user type
// of that name, not `weakref::Header`. The derive takes it as the header (the
// name is all it sees), and the generated code rejects its type, saying to
// add a `weakref::Header` field.

use weakref::Referent;

mod proto {
    /// A wire-format header that has nothing to do with weak references.
    pub struct Header {
        pub length: u32,
    }
}

#[derive(Referent)]
struct Packet {
    header: proto::Header,
    payload: Vec<u8>,
}

fn main() {}
