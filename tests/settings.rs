//! Settings as CloudStack's `ConfigKey` reads them and `updateConfiguration` writes them: the
//! narrowest scope with a value, its allowed parents, the global value, the default; encrypted
//! categories; typed values; a cache refreshed on demand.

mod common;

use cloudstack_db::crypto::Encryptor;
use cloudstack_db::db::Tx;
use cloudstack_db::identity::{AccountType, accounts, domains};
use cloudstack_db::prelude::*;
use cloudstack_db::settings::{Scope, Settings};
use diesel::MysqlConnection;
use diesel::connection::SimpleConnection;

/// `pool.storage.capacity.disablethreshold` as the management server registers it: category
/// Alert, scopes StoragePool and Zone (bitmask 8 | 2), default 0.85.
const THRESHOLD: &str = "pool.storage.capacity.disablethreshold";

fn register(conn: &mut MysqlConnection) {
    conn.batch_execute(&format!(
        "INSERT INTO configuration (category, instance, component, name, value, description, \
           default_value, is_dynamic, scope) VALUES \
         ('Alert', 'DEFAULT', 'CapacityManager', '{THRESHOLD}', '0.85', 'threshold', '0.85', 1, 10), \
         ('Advanced', 'DEFAULT', 'ManagementServer', 'allow.user.expunge.recover.vm', NULL, 'x', \
           'false', 1, 128 | 64), \
         ('Advanced', 'DEFAULT', 'ManagementServer', 'enable.account.settings.for.domain', 'true', \
           'x', 'false', 1, 0), \
         ('Advanced', 'DEFAULT', 'ManagementServer', 'enable.domain.settings.for.child.domain', \
           'true', 'x', 'false', 1, 0) \
         ON DUPLICATE KEY UPDATE value = VALUES(value), scope = VALUES(scope)"
    ))
    .unwrap();
}

#[test]
fn a_value_comes_from_the_narrowest_scope_that_has_one_then_global_then_default() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    register(&mut conn);
    Tx::run(&mut conn, db, None, |tx| {
        cloudstack_db_testing::storage_pool(tx, zone, 1)?;
        cloudstack_db_testing::storage_pool(tx, zone, 2)
    })
    .unwrap();
    let settings = Settings::new(None);
    let at = |conn: &mut MysqlConnection, scope| -> Option<f64> {
        settings.get(conn, THRESHOLD, scope).unwrap()
    };
    assert_eq!(at(&mut conn, Scope::StoragePool(1)), Some(0.85), "global");
    Tx::run(&mut conn, db, None, |tx| {
        settings.set(tx, THRESHOLD, Scope::Zone(zone), "0.9")?;
        settings.set(tx, THRESHOLD, Scope::StoragePool(2), "0.7")
    })
    .unwrap();
    // Pool 1 has none of its own: its zone's (a pool without a cluster has the zone above it).
    assert_eq!(at(&mut conn, Scope::StoragePool(1)), Some(0.9));
    assert_eq!(at(&mut conn, Scope::StoragePool(2)), Some(0.7));
    assert_eq!(at(&mut conn, Scope::Zone(zone)), Some(0.9));
    assert_eq!(at(&mut conn, Scope::Global), Some(0.85));
    // Setting the zone twice replaces its row (addDetail), as CloudStack does.
    Tx::run(&mut conn, db, None, |tx| {
        settings.set(tx, THRESHOLD, Scope::Zone(zone), "0.95")
    })
    .unwrap();
    assert_eq!(
        cloudstack_db_testing::count(
            &mut conn,
            &format!("SELECT COUNT(*) FROM data_center_details WHERE name = '{THRESHOLD}'")
        )
        .unwrap(),
        1
    );
    assert_eq!(at(&mut conn, Scope::StoragePool(1)), Some(0.95));
    // No global value: the default.
    conn.batch_execute(&format!(
        "UPDATE configuration SET value = NULL WHERE name = '{THRESHOLD}'"
    ))
    .unwrap();
    settings.refresh();
    assert_eq!(at(&mut conn, Scope::Global), Some(0.85));
    // Not a scope of the setting; no such resource.
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| settings.set(
            tx,
            THRESHOLD,
            Scope::Account(AccountId(2)),
            "1"
        )),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| settings.set(
            tx,
            THRESHOLD,
            Scope::StoragePool(99),
            "1"
        )),
        Err(Error::NotFound)
    ));
}

#[test]
fn an_account_without_a_value_takes_its_domains_and_the_domain_its_parents() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    register(&mut conn);
    let (parent, child, account) = Tx::run(&mut conn, db, None, |tx| {
        let parent = domains::create(
            tx,
            &domains::DomainSpec::new(DomainId(1), "parent", AccountId(2)),
        )?;
        let child = domains::create(
            tx,
            &domains::DomainSpec::new(parent.id, "child", AccountId(2)),
        )?;
        let account = accounts::create(
            tx,
            &accounts::AccountSpec::new(child.id, "acct", AccountType::Normal),
        )?;
        Ok((parent.id, child.id, account.id))
    })
    .unwrap();
    let settings = Settings::new(None);
    let key = "allow.user.expunge.recover.vm";
    let read = |conn: &mut MysqlConnection, scope| -> Option<bool> {
        settings.get(conn, key, scope).unwrap()
    };
    assert_eq!(
        read(&mut conn, Scope::Account(account)),
        Some(false),
        "the default"
    );
    Tx::run(&mut conn, db, None, |tx| {
        settings.set(tx, key, Scope::Domain(parent), "true")
    })
    .unwrap();
    assert_eq!(
        read(&mut conn, Scope::Domain(child)),
        Some(true),
        "inherited from the parent"
    );
    assert_eq!(
        read(&mut conn, Scope::Account(account)),
        Some(true),
        "through the domains"
    );
    Tx::run(&mut conn, db, None, |tx| {
        settings.set(tx, key, Scope::Account(account), "false")
    })
    .unwrap();
    assert_eq!(
        read(&mut conn, Scope::Account(account)),
        Some(false),
        "its own"
    );
    // With the domain walk off, a domain has only its own value and an account its own.
    conn.batch_execute(
        "UPDATE configuration SET value = 'false' WHERE name = 'enable.domain.settings.for.child.domain'; \
         DELETE FROM account_details",
    )
    .unwrap();
    settings.refresh();
    assert_eq!(read(&mut conn, Scope::Domain(child)), Some(false));
    // The account's parent scope (its domain) is still asked, as ConfigKey does.
    assert_eq!(read(&mut conn, Scope::Account(account)), Some(false));
    assert_eq!(read(&mut conn, Scope::Domain(parent)), Some(true));
}

#[test]
fn encrypted_settings_are_stored_encrypted_and_read_only_as_secrets() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let encryptor = Encryptor::new("database-secret", None);
    let stored = encryptor.encrypt("s3cr3t-value").unwrap();
    conn.batch_execute(&format!(
        "INSERT INTO configuration (category, instance, component, name, value, scope) VALUES \
         ('Secure', 'DEFAULT', 'management-server', 'test.secure.key', '{stored}', 0)"
    ))
    .unwrap();
    let settings = Settings::new(Some(encryptor.clone()));
    let secret = settings
        .get_secret(&mut conn, "test.secure.key", Scope::Global)
        .unwrap()
        .unwrap();
    assert_eq!(secret.expose(), "s3cr3t-value");
    assert!(!format!("{secret:?}").contains("s3cr3t"));
    match settings.get::<String>(&mut conn, "test.secure.key", Scope::Global) {
        Err(Error::InvalidValue { value, .. }) => {
            assert!(!value.unwrap_or_default().contains("s3cr3t"))
        }
        other => panic!("{other:?}"),
    }
    Tx::run(&mut conn, db, None, |tx| {
        settings.set(tx, "test.secure.key", Scope::Global, "n3w")
    })
    .unwrap();
    let raw: Option<String> = {
        use cloudstack_db::schema::cloud::configuration;
        use diesel::prelude::*;
        configuration::table
            .find("test.secure.key")
            .select(configuration::value)
            .first(&mut *conn)
            .unwrap()
    };
    let raw = raw.unwrap();
    assert!(!raw.contains("n3w"), "stored encrypted");
    assert_eq!(encryptor.decrypt(&raw).unwrap().expose(), "n3w");
    assert_eq!(
        settings
            .get_secret(&mut conn, "test.secure.key", Scope::Global)
            .unwrap()
            .unwrap()
            .expose(),
        "n3w"
    );
    // Without the secret: a typed error, no value.
    assert!(matches!(
        Settings::new(None).get_secret(&mut conn, "test.secure.key", Scope::Global),
        Err(Error::Config(_))
    ));
}

#[test]
fn values_are_cached_typed_and_listed_by_category() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    register(&mut conn);
    let settings = Settings::new(None);
    assert_eq!(
        settings
            .get::<i64>(&mut conn, "alert.purge.interval", Scope::Global)
            .unwrap(),
        Some(86400)
    );
    let interval: Option<std::time::Duration> = settings
        .get(&mut conn, "alert.purge.interval", Scope::Global)
        .unwrap();
    assert_eq!(interval, Some(std::time::Duration::from_secs(86400)));
    conn.batch_execute("UPDATE configuration SET value = '60' WHERE name = 'alert.purge.interval'")
        .unwrap();
    assert_eq!(
        settings
            .get::<i64>(&mut conn, "alert.purge.interval", Scope::Global)
            .unwrap(),
        Some(86400),
        "cached until refreshed"
    );
    settings.refresh();
    assert_eq!(
        settings
            .get::<i64>(&mut conn, "alert.purge.interval", Scope::Global)
            .unwrap(),
        Some(60)
    );
    match settings.get::<bool>(&mut conn, "alert.purge.interval", Scope::Global) {
        Err(Error::InvalidValue { column, value, .. }) => {
            assert_eq!(
                (column.as_str(), value.as_deref()),
                ("configuration.alert.purge.interval", Some("60"))
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        settings
            .get::<String>(&mut conn, "no.such.setting", Scope::Global)
            .unwrap(),
        None
    );
    let alerts = settings.list_by_category(&mut conn, "Alert").unwrap();
    assert!(alerts.iter().any(|s| s.name == THRESHOLD));
    assert!(alerts.iter().all(|s| s.category == "Alert"));
    assert!(alerts.windows(2).all(|w| w[0].name < w[1].name));
}

#[test]
fn a_defined_setting_gets_the_row_a_management_server_writes_once() {
    use cloudstack_db::settings::{ScopeKind, SettingDefinition};
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let encryptor = Encryptor::new("database-secret", None);
    let settings = Settings::new(Some(encryptor.clone()));
    let def = SettingDefinition {
        category: "Secure".into(),
        component: "TourManager".into(),
        name: "tour.api.token".into(),
        default_value: Some("t0ken".into()),
        description: Some("A token".into()),
        scopes: vec![ScopeKind::Domain, ScopeKind::Account],
        is_dynamic: true,
    };
    assert!(Tx::run(&mut conn, db, None, |tx| settings.define(tx, &def)).unwrap());
    assert!(
        !Tx::run(&mut conn, db, None, |tx| settings.define(tx, &def)).unwrap(),
        "once"
    );
    let row = settings.setting(&mut conn, "tour.api.token").unwrap();
    assert_eq!(
        (
            row.instance.as_str(),
            row.scope,
            row.is_dynamic,
            row.display_text.as_deref(),
            row.default_value.as_deref()
        ),
        ("DEFAULT", 192, true, Some("Tour api token"), Some("t0ken"))
    );
    let stored = row.value.unwrap();
    assert_ne!(stored, "t0ken");
    assert_eq!(encryptor.decrypt(&stored).unwrap().expose(), "t0ken");
    assert_eq!(
        settings
            .get_secret(&mut conn, "tour.api.token", Scope::Account(AccountId(2)))
            .unwrap()
            .unwrap()
            .expose(),
        "t0ken"
    );
}
