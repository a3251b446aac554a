//! Beyond one server: a primary with a read replica, and a three-node Galera cluster. Every
//! server is a private `mariadbd` on 127.0.0.1 started by the test (`testing::LocalServer`) and
//! stopped when it ends. Run alone with `cargo test --test multi_server`.

#[path = "../common/mod.rs"]
mod common;

mod link;
mod replication;

pub use common::log_to_file;
mod galera;

/// The tests of this binary run one at a time: each starts several `mariadbd` processes, and on
/// a 2-core machine the Galera workload under the replication tests' load has been seen to hang
/// or fail (see docs/scaling.md) where it passes alone.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
