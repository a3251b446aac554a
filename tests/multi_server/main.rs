//! Beyond one server: a primary with a read replica, and a three-node Galera cluster. Every
//! server is a private `mariadbd` on 127.0.0.1 started by the test (`testing::LocalServer`) and
//! stopped when it ends. Run alone with `cargo test --test multi_server`.

#[path = "../common/mod.rs"]
mod common;

mod replication;

pub use common::log_to_file;
mod galera;
