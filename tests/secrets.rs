//! Passwords never show in Debug, Display, errors or logs (tracing at TRACE level).

mod common;

use cloudstack_db::db::Tx;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use cloudstack_db::db::{DatabaseConfig, DbProperties};
use cloudstack_db::{Database, Error, Secret};
use cloudstack_db_testing::TestUser;
use diesel::connection::SimpleConnection;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test binary, from every thread (r2d2's housekeeping included).
fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .init();
        captured
    })
}

fn db_properties(
    test: &cloudstack_db_testing::TestDatabases,
    user: &TestUser,
    extra: &str,
) -> String {
    let admin = cloudstack_db_testing::admin_target().unwrap();
    format!(
        "db.cloud.username={u}\ndb.cloud.password={p}\ndb.cloud.host={h}\ndb.cloud.port={port}\n\
         db.cloud.name={c}\ndb.cloud.maxActive=3\ndb.cloud.minIdleConnections=1\ndb.cloud.maxWait=5000\n\
         db.cloud.url.params=prepStmtCacheSize=517&cachePrepStmts=true&sessionVariables=sql_mode='STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION',wait_timeout=4321&serverTimezone=UTC\n\
         db.usage.username={u}\ndb.usage.password={p}\ndb.usage.host={h}\ndb.usage.port={port}\n\
         db.usage.name={us}\ndb.usage.maxActive=2\n{extra}",
        u = user.name,
        p = user.password.expose(),
        h = admin.host,
        port = admin.port,
        c = test.cloud_name(),
        us = test.usage_name(),
    )
}

#[test]
fn db_properties_open_both_pools_with_their_settings_and_nothing_leaks() {
    let captured = logs();
    let test = common::fresh();
    let user = TestUser::create(&test).unwrap();
    let dir = std::env::temp_dir().join(format!("csdb-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("db.properties");
    std::fs::write(&path, db_properties(&test, &user, "")).unwrap();

    let config = DatabaseConfig::from_db_properties_file(&path).unwrap();
    let db = Database::connect(&config).unwrap();
    assert_eq!(db.cloud().max_size(), 3);
    assert_eq!(db.usage().max_size(), 2);
    let (wait_timeout, database) = db
        .cloud()
        .run(|c| {
            #[derive(diesel::QueryableByName)]
            struct Row {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                wait_timeout: i64,
                #[diesel(sql_type = diesel::sql_types::Text)]
                db: String,
            }
            use diesel::RunQueryDsl;
            let r: Row = diesel::sql_query(
                "SELECT CAST(@@session.wait_timeout AS SIGNED) AS wait_timeout, DATABASE() AS db",
            )
            .get_result(c)?;
            Ok((r.wait_timeout, r.db))
        })
        .unwrap();
    assert_eq!(
        wait_timeout, 4321,
        "sessionVariables from db.cloud.url.params applied"
    );
    assert_eq!(database, test.cloud_name());

    // Provoke errors and warnings that get logged: a dead connection, a failed query.
    // Hold one connection so the call after the kill is certain to use the killed one.
    let mut held = db.cloud().get().unwrap();
    let id = common::connection_id(&mut held).unwrap();
    common::kill(id).unwrap();
    let lost = held.run(common::connection_id).unwrap_err();
    drop(held);
    assert!(lost.is_connection_lost());
    let bad = db
        .cloud()
        .run(|c| Ok(c.batch_execute("SELECT * FROM no_such_table")?))
        .unwrap_err();

    // And a failed login with a wrong password.
    let wrong = Secret::new("Leaky-Wrong-Password-42");
    let mut wrong_config = config.clone();
    wrong_config.usage.target.password = wrong.clone();
    let denied = Database::connect(&wrong_config).unwrap_err();
    assert!(matches!(denied, Error::Connect(_)));

    let password = user.password.expose().to_owned();
    let props = DbProperties::read(&path).unwrap();
    let shown = [
        format!("{config:?}"),
        format!("{wrong_config:?}"),
        format!("{db:?}"),
        format!("{:?}", db.cloud()),
        config.cloud.target.to_string(),
        format!("{props:?}"),
        format!("{user:?}"),
        format!("{:?}", user.password),
        lost.to_string(),
        format!("{lost:?}"),
        bad.to_string(),
        denied.to_string(),
        format!("{denied:?}"),
    ];
    for text in &shown {
        assert!(!text.contains(&password), "password leaked in: {text}");
        assert!(
            !text.contains(wrong.expose()),
            "wrong password leaked in: {text}"
        );
    }
    drop(db);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("discarding a dead database connection"),
        "logging is captured: {log}"
    );
    assert!(!log.contains(&password), "password leaked in the logs");
    assert!(
        !log.contains(wrong.expose()),
        "wrong password leaked in the logs"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn user_passwords_api_secret_keys_and_vnc_passwords_leak_nowhere() {
    use cloudstack_db::compute::vms;
    use cloudstack_db::identity::api_keys;
    use cloudstack_db::identity::users::{self, UserSpec};
    use cloudstack_db::types::{AccountId, DomainId};

    let captured = logs();
    let test = common::fresh();
    let db = test.database();
    let enc = db.column_encryptor().unwrap();
    let conn = &mut *db.cloud().get().unwrap();
    let password = Secret::new(format!("User-Pw-{}", uuid::Uuid::new_v4().simple()));
    let vnc = format!("Vnc-{}", uuid::Uuid::new_v4().simple());
    let spec = UserSpec {
        username: "leaky".into(),
        password: password.clone(),
        account_id: AccountId(2),
        firstname: None,
        lastname: None,
        email: None,
    };
    let user = Tx::run(conn, &db, None, |tx| users::create(tx, &spec)).unwrap();
    let keys = Tx::run(conn, &db, None, |tx| {
        api_keys::generate_keys(tx, user.id, enc)
    })
    .unwrap();

    // Every path that handles these secrets, and their failures.
    let mut shown = vec![
        format!("{user:?}"),
        format!("{keys:?}"),
        format!("{spec:?}"),
        format!("{:?}", users::find(conn, user.id).unwrap()),
    ];
    let errors = [
        Tx::run(conn, &db, None, |tx| users::create(tx, &spec)).unwrap_err(),
        Tx::run(conn, &db, None, |tx| {
            users::login(tx, DomainId(1), "leaky", &Secret::new("not-it"), 5)
        })
        .and_then(|verdict| verdict)
        .unwrap_err(),
        api_keys::authenticate_request(
            conn,
            enc,
            &[
                ("apiKey".into(), keys.api_key.clone()),
                ("command".into(), "listVirtualMachines".into()),
                ("signature".into(), "forged".into()),
            ],
            chrono::Utc::now(),
        )
        .unwrap_err(),
    ];
    Tx::run(conn, &db, None, |tx| {
        users::login(tx, DomainId(1), "leaky", &password, 5)
    })
    .and_then(|verdict| verdict)
    .unwrap();
    let zone = common::zone(conn).id;
    let mut vm_spec = common::vm_spec(zone, "with-vnc");
    vm_spec.vnc_password = Secret::new(vnc.clone());
    let vm = Tx::run(conn, db, None, |tx| vms::create(tx, &vm_spec)).unwrap();
    vm_spec.name = "x".repeat(300);
    let refused = Tx::run(conn, db, None, |tx| vms::create(tx, &vm_spec)).unwrap_err();
    shown.push(format!("{vm:?}"));
    shown.push(format!("{vm_spec:?}"));
    for err in errors.iter().chain([&refused]) {
        shown.push(err.to_string());
        shown.push(format!("{err:?}"));
    }
    let secrets = [
        password.expose().to_owned(),
        keys.secret_key.expose().to_owned(),
        vnc,
        cloudstack_db_testing::TEST_DATABASE_SECRET.to_owned(),
    ];
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("database error"),
        "converted errors are logged at TRACE: {log}"
    );
    for secret in &secrets {
        for text in &shown {
            assert!(!text.contains(secret.as_str()), "secret leaked in: {text}");
        }
        assert!(!log.contains(secret.as_str()), "secret leaked in the logs");
    }
}
