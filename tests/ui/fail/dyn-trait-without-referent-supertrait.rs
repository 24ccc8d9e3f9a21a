// Mistake: a weak reference to an `Arc<dyn Observer>` whose trait does not
// have `Referent` as a supertrait. The concrete type derives `Referent`, but
// the trait object does not know it: the error says to declare the trait as
// `trait Observer: Referent`.

use std::sync::Arc;

use weakref::{Header, Ref, Referent};

trait Observer {
    fn notify(&self, event: &str);
}

#[derive(Referent)]
struct Logger {
    header: Header,
}

impl Observer for Logger {
    fn notify(&self, event: &str) {
        println!("{event}");
    }
}

fn main() {
    let observer: Arc<dyn Observer> = Arc::new(Logger {
        header: Header::new(),
    });
    let _ = Ref::new(&observer);
}
