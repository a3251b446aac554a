//! A sandbox for one `cloudstack-setup-databases` run: databases, a MySQL user and a conf
//! directory under unique names, all removed on drop.

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use cloudstack_db_testing::{admin_connection, count};
use diesel::connection::SimpleConnection;

/// Databases, a user and a conf directory for one setup run, all removed on drop.
pub struct Sandbox {
    pub conf: PathBuf,
    pub cloud: String,
    pub usage: String,
    pub user: String,
    pub password: String,
}

impl Sandbox {
    pub fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        let epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let stem = format!("csdbt_{epoch}_{pid}_{}", 900 + n);
        let conf = std::env::temp_dir().join(format!("{stem}_conf"));
        std::fs::create_dir_all(&conf).unwrap();
        // The database names come from db.properties, as the real tool keeps db.cloud.name.
        std::fs::write(
            conf.join("db.properties"),
            format!("db.cloud.name={stem}_cloud\ndb.usage.name={stem}_usage\n"),
        )
        .unwrap();
        Self {
            conf,
            cloud: format!("{stem}_cloud"),
            usage: format!("{stem}_usage"),
            user: format!("csdbu_{pid}_s{n}"),
            password: format!("Pw{n}x{}", uuid::Uuid::new_v4().simple()),
        }
    }

    pub fn target(&self) -> String {
        format!("{}:{}@127.0.0.1", self.user, self.password)
    }

    pub fn command(&self, extra: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cloudstack-setup-databases"));
        command
            .arg(self.target())
            .args(["--deploy-as=root:", "-i", "127.0.0.1", "-c"])
            .arg(&self.conf)
            .args(extra);
        command
    }

    pub fn setup(&self, extra: &[&str]) -> Output {
        self.command(extra).output().unwrap()
    }

    pub fn properties(&self) -> PathBuf {
        self.conf.join("db.properties")
    }

    pub fn databases_exist(&self) -> i64 {
        count(
            &mut admin_connection().unwrap(),
            &format!("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN ('{}', '{}')", self.cloud, self.usage),
        )
        .unwrap()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Ok(mut admin) = admin_connection() {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS `{}`; DROP DATABASE IF EXISTS `{}`; DROP USER IF EXISTS '{u}'@'localhost'; DROP USER IF EXISTS '{u}'@'%'",
                self.cloud, self.usage, u = self.user
            ));
        }
        let _ = std::fs::remove_dir_all(&self.conf);
    }
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
