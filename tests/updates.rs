//! `update(tx, id, &Changes)` of every aggregate that has one: a field set, a nullable field set
//! to NULL, an empty change set, the same value twice, a removed row and a value the column
//! cannot hold.

mod common;

use cloudstack_db::identity::accounts::{self, AccountChanges};
use cloudstack_db::identity::users::{self, UserChanges};
use cloudstack_db::network::networks::{self, NetworkChanges};
use cloudstack_db::prelude::*;
use cloudstack_db_testing::count;
use diesel::MysqlConnection;

fn is_invalid(err: &Error, column: &str) -> bool {
    matches!(err, Error::InvalidValue { column: c, .. } if c == column)
}

#[test]
fn volumes_update_sets_clears_repeats_and_refuses() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    let spec = VolumeSpec {
        name: "data-1".into(),
        account_id: AccountId(2),
        domain_id: DomainId(1),
        zone_id: zone,
        volume_type: cloudstack_db::storage::VolumeType::DataDisk,
        disk_offering_id: DiskOfferingId(3),
        template_id: None,
        size: 1 << 30,
        instance_id: None,
        device_id: None,
        format: None,
        provisioning_type: ProvisioningType::Thin,
        display_volume: true,
    };
    let v = db.write(|tx| volumes::create(tx, &spec)).unwrap();

    let changes = VolumeChanges {
        name: Some(Some("data-renamed".into())),
        max_iops: Some(Some(500)),
        delete_protection: Some(Some(true)),
        ..Default::default()
    };
    let changed = db.write(|tx| volumes::update(tx, v.id, &changes)).unwrap();
    assert_eq!(changed.name.as_deref(), Some("data-renamed"));
    assert_eq!(changed.max_iops, Some(500));
    assert_eq!(changed.delete_protection, Some(true));
    assert_eq!(
        changed.size, v.size,
        "columns not in the change set are left alone"
    );

    // The same values again: the row matched, nothing is "not found".
    let again = db.write(|tx| volumes::update(tx, v.id, &changes)).unwrap();
    assert_eq!(again.max_iops, Some(500));

    let cleared = VolumeChanges {
        max_iops: Some(None),
        ..Default::default()
    };
    let cleared = db.write(|tx| volumes::update(tx, v.id, &cleared)).unwrap();
    assert_eq!(cleared.max_iops, None);
    assert_eq!(cleared.name.as_deref(), Some("data-renamed"));

    let nothing = db
        .write(|tx| volumes::update(tx, v.id, &VolumeChanges::default()))
        .unwrap();
    assert_eq!(nothing, cleared);

    let too_long = VolumeChanges {
        name: Some(Some("x".repeat(256))),
        ..Default::default()
    };
    let err = db
        .write(|tx| volumes::update(tx, v.id, &too_long))
        .unwrap_err();
    assert!(is_invalid(&err, "volumes.name"), "{err}");

    db.write(|tx| volumes::remove(tx, v.id)).unwrap();
    for changes in [changes, VolumeChanges::default()] {
        let err = db
            .write(|tx| volumes::update(tx, v.id, &changes))
            .unwrap_err();
        assert!(matches!(err, Error::NotFound), "{err}");
    }
}

#[test]
fn networks_users_and_accounts_update_their_own_columns() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    let network = common::public_range(conn, db, zone).network_id;

    let renamed = db
        .write(|tx| {
            networks::update(
                tx,
                network,
                &NetworkChanges {
                    name: Some(Some("public-renamed".into())),
                    display_text: Some(None),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("public-renamed"));
    assert_eq!(renamed.display_text, None);
    let err = db
        .write(|tx| {
            networks::update(
                tx,
                network,
                &NetworkChanges {
                    network_domain: Some(Some("ü.example".repeat(40))),
                    ..Default::default()
                },
            )
        })
        .unwrap_err();
    assert!(is_invalid(&err, "networks.network_domain"), "{err}");

    let admin = db
        .write(|tx| {
            users::update(
                tx,
                UserId(2),
                &UserChanges {
                    email: Some(Some("admin@example.org".into())),
                    timezone: Some(Some("Europe/Berlin".into())),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(admin.email.as_deref(), Some("admin@example.org"));
    assert_eq!(admin.timezone.as_deref(), Some("Europe/Berlin"));
    let err = db
        .write(|tx| {
            users::update(
                tx,
                UserId(2),
                &UserChanges {
                    timezone: Some(Some("x".repeat(31))),
                    ..Default::default()
                },
            )
        })
        .unwrap_err();
    assert!(is_invalid(&err, "user.timezone"), "{err}");

    let account = db
        .write(|tx| {
            accounts::update(
                tx,
                AccountId(2),
                &AccountChanges {
                    network_domain: Some(Some("cs2cloud.internal".into())),
                    default_zone_id: Some(Some(zone)),
                },
            )
        })
        .unwrap();
    assert_eq!(account.network_domain.as_deref(), Some("cs2cloud.internal"));
    assert_eq!(account.default_zone_id, Some(zone));
    let err = db
        .write(|tx| {
            accounts::update(
                tx,
                AccountId(2),
                &AccountChanges {
                    default_zone_id: Some(Some(ZoneId(999_999))),
                    ..Default::default()
                },
            )
        })
        .unwrap_err();
    assert!(matches!(err, Error::ForeignKey { .. }), "{err}");
    // A failed update leaves what was there.
    let unchanged = db.read(|c| accounts::find(c, AccountId(2))).unwrap();
    assert_eq!(unchanged.default_zone_id, Some(zone));
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) FROM account WHERE default_zone_id IS NOT NULL"
        )
        .unwrap(),
        1
    );
}
