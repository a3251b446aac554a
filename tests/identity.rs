//! Domains, accounts, users, API keys and signed requests, roles and rules, against the server.

mod common;

use cloudstack_db::db::Tx;
use std::collections::HashSet;

use chrono::{Duration, Utc};
use cloudstack_db::identity::api_keys::{
    self, authenticate_request, canonical_request, sign_request,
};
use cloudstack_db::identity::domains::{self, ROOT_DOMAIN};
use cloudstack_db::identity::roles::{self, RoleDecision, RuleSpec, evaluate, rule_matches};
use cloudstack_db::identity::users::{self, UserSpec};
use cloudstack_db::identity::{
    AccountState, AccountType, Permission, RoleState, RoleType, accounts,
};
use cloudstack_db::types::*;
use cloudstack_db::{Database, Error, Secret};
use cloudstack_db_testing::count;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

#[test]
fn the_domain_tree_keeps_paths_levels_and_counts() {
    let test = common::fresh();
    let mut conn = test.database().cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let eng = test
        .database()
        .write(|tx| {
            domains::create(
                tx,
                &domains::DomainSpec::new(ROOT_DOMAIN, "eng", AccountId(2)),
            )
        })
        .unwrap();
    let web = test
        .database()
        .write(|tx| domains::create(tx, &domains::DomainSpec::new(eng.id, "web", AccountId(2))))
        .unwrap();
    assert_eq!(
        (eng.path.as_str(), eng.level, web.path.as_str(), web.level),
        ("/eng/", 1, "/eng/web/", 2)
    );
    let root = domains::find(conn, ROOT_DOMAIN).unwrap();
    assert_eq!((root.child_count, root.next_child_seq), (1, 2));
    assert_eq!(domains::find_by_path(conn, "/eng/web/").unwrap().id, web.id);
    let subtree: Vec<String> = domains::list_subtree(conn, eng.id)
        .unwrap()
        .into_iter()
        .map(|d| d.path)
        .collect();
    assert_eq!(subtree, ["/eng/", "/eng/web/"]);
    assert!(domains::is_ancestor(conn, ROOT_DOMAIN, web.id).unwrap());
    assert!(domains::is_ancestor(conn, eng.id, web.id).unwrap());
    assert!(!domains::is_ancestor(conn, web.id, eng.id).unwrap());
    // Refusals: a slash in the name, a duplicate sibling, removing a non-empty domain or ROOT.
    assert!(matches!(
        test.database().write(|tx| {
            domains::create(tx, &domains::DomainSpec::new(eng.id, "a/b", AccountId(2)))
        }),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        test.database().write(|tx| {
            domains::create(tx, &domains::DomainSpec::new(eng.id, "web", AccountId(2)))
        }),
        Err(Error::Duplicate { .. })
    ));
    assert!(matches!(
        test.database().write(|tx| domains::remove(tx, eng.id)),
        Err(Error::Conflict(_))
    ));
    assert!(matches!(
        test.database().write(|tx| domains::remove(tx, ROOT_DOMAIN)),
        Err(Error::Conflict(_))
    ));
    // Move the empty leaf under ROOT, then remove it: the counts follow.
    let moved = test
        .database()
        .write(|tx| domains::move_domain(tx, web.id, ROOT_DOMAIN))
        .unwrap();
    assert_eq!((moved.path.as_str(), moved.level), ("/web/", 1));
    assert_eq!(domains::find(conn, eng.id).unwrap().child_count, 0);
    test.database()
        .write(|tx| domains::remove(tx, moved.id))
        .unwrap();
    assert!(matches!(
        domains::find(conn, moved.id),
        Err(Error::NotFound)
    ));
    assert_eq!(domains::find(conn, ROOT_DOMAIN).unwrap().child_count, 1);
    // An account keeps a domain from being removed.
    test.database()
        .write(|tx| {
            accounts::create(
                tx,
                &accounts::AccountSpec::new(eng.id, "team", AccountType::Normal),
            )
        })
        .unwrap();
    assert!(matches!(
        test.database().write(|tx| domains::remove(tx, eng.id)),
        Err(Error::Conflict(_))
    ));
}

#[test]
fn concurrent_child_creation_keeps_the_tree_consistent() {
    let test = common::fresh();
    let db = test.database().clone();
    let parent = Tx::run(&mut db.cloud().get().unwrap(), &db, None, |tx| {
        domains::create(
            tx,
            &domains::DomainSpec::new(ROOT_DOMAIN, "parent", AccountId(2)),
        )
    })
    .unwrap();
    std::thread::scope(|s| {
        for t in 0..8 {
            let db = db.clone();
            s.spawn(move || {
                for i in 0..25 {
                    db.cloud()
                        .transaction_with_retry(&Default::default(), |c| {
                            Tx::run(c, &db, None, |tx| {
                                domains::create(
                                    tx,
                                    &domains::DomainSpec::new(
                                        parent.id,
                                        format!("c{t}-{i}"),
                                        AccountId(2),
                                    ),
                                )
                            })
                        })
                        .unwrap();
                }
            });
        }
    });
    let mut conn = db.cloud().get().unwrap();
    let p = domains::find(&mut conn, parent.id).unwrap();
    assert_eq!((p.child_count, p.next_child_seq), (200, 201));
    let children = domains::list_subtree(&mut conn, parent.id).unwrap();
    assert_eq!(children.len(), 201);
    let paths: HashSet<&str> = children.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths.len(), 201, "paths are unique");
    assert!(
        children
            .iter()
            .skip(1)
            .all(|d| d.level == 2 && d.path.starts_with("/parent/") && d.parent == Some(parent.id))
    );
}

#[test]
fn accounts_and_users_log_in_and_lock_after_failed_attempts() {
    let test = common::fresh();
    let mut conn = test.database().cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let dom = test
        .database()
        .write(|tx| {
            domains::create(
                tx,
                &domains::DomainSpec::new(ROOT_DOMAIN, "customers", AccountId(2)),
            )
        })
        .unwrap();
    let acct = test
        .database()
        .write(|tx| {
            accounts::create(
                tx,
                &accounts::AccountSpec::new(dom.id, "acme", AccountType::Normal),
            )
        })
        .unwrap();
    assert_eq!(
        (acct.role_id, acct.state),
        (Some(RoleId(4)), AccountState::Enabled)
    );
    assert!(matches!(
        test.database().write(|tx| accounts::create(
            tx,
            &accounts::AccountSpec::new(dom.id, "acme", AccountType::Normal)
        )),
        Err(Error::Duplicate { .. })
    ));
    assert_eq!(
        accounts::find_by_name(conn, dom.id, "acme").unwrap().id,
        acct.id
    );
    let spec = UserSpec {
        username: "alice".into(),
        password: Secret::new("correct horse"),
        account_id: acct.id,
        firstname: Some("Alice".into()),
        lastname: None,
        email: Some("alice@example.com".into()),
    };
    let alice = test
        .database()
        .write(|tx| users::create(tx, &spec))
        .unwrap();
    assert!(matches!(
        test.database().write(|tx| users::create(tx, &spec)),
        Err(Error::Duplicate { .. })
    ));
    assert_eq!(
        users::find_by_username(conn, dom.id, "alice").unwrap().id,
        alice.id
    );
    let ok = test
        .database()
        .write(|tx| users::login(tx, dom.id, "alice", &Secret::new("correct horse"), 3))
        .and_then(|verdict| verdict)
        .unwrap();
    assert_eq!(ok.incorrect_login_attempts, 0);
    for attempt in 1..=3 {
        let err = test
            .database()
            .write(|tx| users::login(tx, dom.id, "alice", &Secret::new("wrong"), 3))
            .and_then(|verdict| verdict)
            .unwrap_err();
        assert!(matches!(err, Error::AuthenticationFailed { .. }));
        assert!(!err.to_string().contains("wrong horse"));
        let now = users::find(conn, alice.id).unwrap();
        assert_eq!(
            now.incorrect_login_attempts, attempt,
            "failed attempts are counted"
        );
    }
    assert_eq!(
        users::find(conn, alice.id).unwrap().state,
        AccountState::Locked
    );
    assert!(matches!(
        test.database()
            .write(|tx| users::login(tx, dom.id, "alice", &Secret::new("correct horse"), 3))
            .and_then(|verdict| verdict),
        Err(Error::AuthenticationFailed { .. })
    ));
    test.database()
        .write(|tx| users::set_state(tx, alice.id, AccountState::Enabled))
        .unwrap();
    test.database()
        .write(|tx| users::login(tx, dom.id, "alice", &Secret::new("correct horse"), 3))
        .and_then(|verdict| verdict)
        .unwrap();
    // A disabled account keeps its users out.
    test.database()
        .write(|tx| accounts::set_state(tx, acct.id, AccountState::Disabled))
        .unwrap();
    assert!(matches!(
        test.database()
            .write(|tx| users::login(tx, dom.id, "alice", &Secret::new("correct horse"), 3))
            .and_then(|verdict| verdict),
        Err(Error::AuthenticationFailed { .. })
    ));
    test.database()
        .write(|tx| accounts::set_state(tx, acct.id, AccountState::Enabled))
        .unwrap();
    test.database()
        .write(|tx| accounts::assign_role(tx, acct.id, RoleId(6)))
        .unwrap();
    test.database()
        .write(|tx| accounts::remove(tx, acct.id))
        .unwrap();
    assert!(matches!(
        accounts::find(conn, acct.id),
        Err(Error::NotFound)
    ));
    assert_eq!(
        count(
            conn,
            &format!(
                "SELECT COUNT(*) FROM account WHERE id = {} AND removed IS NOT NULL",
                acct.id
            )
        )
        .unwrap(),
        1
    );
    // Secrets stay out of Debug.
    let shown = format!("{alice:?}");
    assert!(!shown.contains(alice.password.expose()) && !shown.contains("correct horse"));
}

#[derive(serde::Deserialize)]
struct Vectors {
    vectors: Vec<SignatureVector>,
}

#[derive(serde::Deserialize)]
struct SignatureVector {
    params: Vec<(String, String)>,
    secret_key: String,
    canonical: String,
    signature: String,
}

#[test]
fn signatures_match_independently_derived_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/signature-vectors.json"
    );
    let vectors: Vectors = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(vectors.vectors.len(), 3);
    for v in vectors.vectors {
        let params = v.params.iter().map(|(n, val)| (n.as_str(), val.as_str()));
        assert_eq!(canonical_request(params.clone()), v.canonical);
        assert_eq!(sign_request(params, &v.secret_key), v.signature);
    }
}

fn signed(api_key: &str, secret: &str, mut params: Vec<(String, String)>) -> Vec<(String, String)> {
    params.push(("apiKey".into(), api_key.into()));
    let sig = sign_request(params.iter().map(|(n, v)| (n.as_str(), v.as_str())), secret);
    params.push(("signature".into(), sig));
    params
}

#[test]
fn api_keys_sign_requests_and_only_live_enabled_users_authenticate() {
    let test = common::fresh();
    let db = test.database();
    let enc = db.column_encryptor().unwrap();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let acct = Tx::run(conn, &db, None, |tx| {
        accounts::create(
            tx,
            &accounts::AccountSpec::new(ROOT_DOMAIN, "api", AccountType::Normal),
        )
    })
    .unwrap();
    let user = Tx::run(conn, &db, None, |tx| {
        users::create(
            tx,
            &UserSpec {
                username: "bot".into(),
                password: Secret::new("pw"),
                account_id: acct.id,
                firstname: None,
                lastname: None,
                email: None,
            },
        )
    })
    .unwrap();
    let keys = Tx::run(conn, &db, None, |tx| {
        api_keys::generate_keys(tx, user.id, enc)
    })
    .unwrap();
    assert_eq!(
        (keys.api_key.len(), keys.secret_key.expose().len()),
        (86, 86)
    );
    assert!(
        keys.api_key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    let stored = users::find(conn, user.id).unwrap();
    assert_ne!(
        stored.secret_key.as_ref().unwrap().expose(),
        keys.secret_key.expose(),
        "stored encrypted"
    );
    assert_eq!(
        enc.decrypt(stored.secret_key.unwrap().expose()).unwrap(),
        keys.secret_key
    );
    let (found, owner) = api_keys::find_by_api_key(conn, &keys.api_key).unwrap();
    assert_eq!((found.id, owner.id), (user.id, acct.id));

    let now = Utc::now();
    let base = vec![
        ("command".to_string(), "listVirtualMachines".to_string()),
        ("response".into(), "json".into()),
        ("name".into(), "web 1".into()),
    ];
    let good = signed(&keys.api_key, keys.secret_key.expose(), base.clone());
    let caller = authenticate_request(conn, enc, &good, now).unwrap();
    assert_eq!(caller.user.id, user.id);

    // One changed parameter, a wrong key, an expired v3 request: all refused.
    let mut tampered = good.clone();
    tampered[2].1 = "web 2".into();
    let wrong_key = signed(&keys.api_key, "not-the-secret", base.clone());
    let mut v3 = base.clone();
    v3.push(("signatureVersion".into(), "3".into()));
    v3.push((
        "expires".into(),
        (now - Duration::minutes(5))
            .format("%Y-%m-%dT%H:%M:%S%z")
            .to_string(),
    ));
    let stale = signed(&keys.api_key, keys.secret_key.expose(), v3.clone());
    v3.pop();
    v3.push(("expires".into(), (now + Duration::minutes(5)).to_rfc3339()));
    let fresh = signed(&keys.api_key, keys.secret_key.expose(), v3);
    for (what, request) in [
        ("tampered", &tampered),
        ("wrong key", &wrong_key),
        ("expired", &stale),
    ] {
        let err = authenticate_request(conn, enc, request, now).unwrap_err();
        assert!(
            matches!(err, Error::AuthenticationFailed { .. }),
            "{what}: {err:?}"
        );
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(keys.secret_key.expose()), "{what}");
    }
    authenticate_request(conn, enc, &fresh, now).unwrap();

    // Disabled or locked user or account, removed user, revoked keys: refused.
    Tx::run(conn, &db, None, |tx| {
        users::set_state(tx, user.id, AccountState::Disabled)
    })
    .unwrap();
    assert!(authenticate_request(conn, enc, &good, now).is_err());
    Tx::run(conn, &db, None, |tx| {
        users::set_state(tx, user.id, AccountState::Locked)
    })
    .unwrap();
    assert!(authenticate_request(conn, enc, &good, now).is_err());
    Tx::run(conn, &db, None, |tx| {
        users::set_state(tx, user.id, AccountState::Enabled)
    })
    .unwrap();
    Tx::run(conn, &db, None, |tx| {
        accounts::set_state(tx, acct.id, AccountState::Locked)
    })
    .unwrap();
    assert!(authenticate_request(conn, enc, &good, now).is_err());
    Tx::run(conn, &db, None, |tx| {
        accounts::set_state(tx, acct.id, AccountState::Enabled)
    })
    .unwrap();
    authenticate_request(conn, enc, &good, now).unwrap();
    Tx::run(conn, &db, None, |tx| api_keys::revoke_keys(tx, user.id)).unwrap();
    assert!(matches!(
        authenticate_request(conn, enc, &good, now),
        Err(Error::AuthenticationFailed {
            reason: "unknown API key"
        })
    ));
    let again = Tx::run(conn, &db, None, |tx| {
        api_keys::generate_keys(tx, user.id, enc)
    })
    .unwrap();
    Tx::run(conn, &db, None, |tx| users::remove(tx, user.id)).unwrap();
    let removed = signed(&again.api_key, again.secret_key.expose(), base);
    assert!(authenticate_request(conn, enc, &removed, now).is_err());
}

#[test]
fn rules_are_evaluated_in_order_first_match_wins_no_match_leaves_it_to_the_api() {
    for (rule, api, matches) in [
        ("*", "anything", true),
        ("list*", "listVirtualMachines", true),
        ("LIST*", "listzones", true),
        ("list*", "deployVirtualMachine", false),
        ("*Volume", "createVolume", true),
        ("*Volume", "createVolumes", false),
        ("create*Snapshot*", "createVMSnapshotPolicy", true),
        ("listZones", "listZones", true),
        ("listZones", "listZonesMetrics", false),
    ] {
        assert_eq!(rule_matches(rule, api), matches, "{rule} ~ {api}");
    }
    let test = common::fresh();
    let mut conn = test.database().cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let role = test
        .database()
        .write(|tx| {
            cloudstack_db::identity::roles::create(
                tx,
                &cloudstack_db::identity::roles::RoleSpec {
                    name: "Operators".into(),
                    role_type: RoleType::User,
                    description: Some("test role".into()),
                },
            )
        })
        .unwrap();
    let rule = |r: &str, p| RuleSpec {
        rule: r.into(),
        permission: p,
        description: None,
    };
    let deny_delete = test
        .database()
        .write(|tx| roles::add_rule(tx, role.id, &rule("delete*", Permission::Deny)))
        .unwrap();
    let allow_list = test
        .database()
        .write(|tx| roles::add_rule(tx, role.id, &rule("list*", Permission::Allow)))
        .unwrap();
    let allow_all = test
        .database()
        .write(|tx| roles::add_rule(tx, role.id, &rule("*", Permission::Allow)))
        .unwrap();
    assert_eq!(
        (
            deny_delete.sort_order,
            allow_list.sort_order,
            allow_all.sort_order
        ),
        (0, 1, 2)
    );
    assert!(matches!(
        test.database()
            .write(|tx| roles::add_rule(tx, role.id, &rule("list*", Permission::Deny))),
        Err(Error::Duplicate { .. })
    ));
    assert!(matches!(
        test.database()
            .write(|tx| roles::add_rule(tx, role.id, &rule("list-*", Permission::Deny))),
        Err(Error::InvalidValue { .. })
    ));
    let table = [
        ("deleteVolume", RoleDecision::Deny),
        ("listZones", RoleDecision::Allow),
        ("deployVirtualMachine", RoleDecision::Allow),
    ];
    for (api, decision) in table {
        assert_eq!(
            roles::decide(conn, role.id, api).unwrap(),
            decision,
            "{api}"
        );
    }
    // Deny after allow: moving `*` first allows everything, the deny never matches.
    let reordered = test
        .database()
        .write(|tx| {
            roles::reorder_rules(tx, role.id, &[allow_all.id, deny_delete.id, allow_list.id])
        })
        .unwrap();
    assert_eq!(
        reordered
            .iter()
            .map(|r| r.rule.as_str())
            .collect::<Vec<_>>(),
        ["*", "delete*", "list*"]
    );
    assert_eq!(
        roles::decide(conn, role.id, "deleteVolume").unwrap(),
        RoleDecision::Allow
    );
    // A reorder that does not name exactly the current rules is refused and changes nothing.
    assert!(matches!(
        test.database()
            .write(|tx| roles::reorder_rules(tx, role.id, &[allow_all.id])),
        Err(Error::StaleState { .. })
    ));
    assert_eq!(roles::list_rules(conn, role.id).unwrap()[0].rule, "*");
    // Export, then import into a new role: the same verdicts.
    let exported = roles::export_rules(conn, role.id).unwrap();
    let copy = test
        .database()
        .write(|tx| {
            cloudstack_db::identity::roles::create(
                tx,
                &cloudstack_db::identity::roles::RoleSpec {
                    name: "Copy".into(),
                    role_type: RoleType::User,
                    description: None,
                },
            )
        })
        .unwrap();
    test.database()
        .write(|tx| roles::import_rules(tx, copy.id, &exported))
        .unwrap();
    assert_eq!(roles::export_rules(conn, copy.id).unwrap(), exported);
    // No matching rule: not a refusal — CloudStack then applies the API's own authorisation;
    // Root Admin: everything; a missing role: nothing.
    let empty = test
        .database()
        .write(|tx| {
            cloudstack_db::identity::roles::create(
                tx,
                &cloudstack_db::identity::roles::RoleSpec {
                    name: "Empty".into(),
                    role_type: RoleType::User,
                    description: None,
                },
            )
        })
        .unwrap();
    let no_rule = roles::decide(conn, empty.id, "listZones").unwrap();
    assert_eq!(no_rule, RoleDecision::NoRule);
    assert!(no_rule.or_api_default(true) && !no_rule.or_api_default(false));
    assert_eq!(
        roles::decide(conn, RoleId(1), "anyApiAtAll").unwrap(),
        RoleDecision::Allow
    );
    assert_eq!(
        roles::decide(conn, RoleId(999), "listZones").unwrap(),
        RoleDecision::Deny
    );
    // A disabled role's rules still decide, as in CloudStack (it does not look at the state).
    test.database()
        .write(|tx| roles::add_rule(tx, empty.id, &rule("list*", Permission::Allow)))
        .unwrap();
    diesel::update(cloudstack_db::schema::cloud::roles::table.find(empty.id))
        .set(cloudstack_db::schema::cloud::roles::state.eq(RoleState::Disabled))
        .execute(conn)
        .unwrap();
    assert_eq!(
        roles::decide(conn, empty.id, "listZones").unwrap(),
        RoleDecision::Allow
    );
    let admin_copy = test
        .database()
        .write(|tx| {
            cloudstack_db::identity::roles::create(
                tx,
                &cloudstack_db::identity::roles::RoleSpec {
                    name: "Admin-ish".into(),
                    role_type: RoleType::Admin,
                    description: None,
                },
            )
        })
        .unwrap();
    assert_eq!(
        evaluate(&admin_copy, &[], "listZones"),
        RoleDecision::NoRule,
        "only role 1 bypasses the rules"
    );
}

/// CloudStack keeps account names unique among live accounts of a domain, and user names among
/// live users of a domain, by checking before inserting — with no key to stop a second writer.
/// 16 writers racing for one account name, round after round, then 16 for one user name: one
/// made each time, every other writer told `Duplicate`.
#[test]
fn sixteen_writers_racing_for_one_name_make_one_account_and_one_user() {
    const WRITERS: usize = 16;
    const ROUNDS: usize = 6;
    let test = common::fresh();
    // A connection for every writer, so all of them are inside their transaction at once.
    let db = &Database::connect(&test.config_with(cloudstack_db::db::PoolSettings {
        max_size: WRITERS as u32 + 2,
        ..cloudstack_db_testing::test_pool_settings()
    }))
    .unwrap();
    let check = |what: &str, results: Vec<cloudstack_db::Result<u64>>| {
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "{won} {what}s made: {results:?}");
        for r in results.iter().filter_map(|r| r.as_ref().err()) {
            assert!(matches!(r, Error::Duplicate { .. }), "{what}: {r:?}");
        }
    };
    for round in 0..ROUNDS {
        let barrier = std::sync::Barrier::new(WRITERS);
        let made: Vec<_> = std::thread::scope(|s| {
            let writers: Vec<_> = (0..WRITERS)
                .map(|_| {
                    let barrier = &barrier;
                    s.spawn(move || {
                        barrier.wait();
                        db.write(|tx| {
                            accounts::create(
                                tx,
                                &accounts::AccountSpec::new(
                                    DomainId(1),
                                    format!("raced-{round}"),
                                    AccountType::Normal,
                                ),
                            )
                        })
                        .map(|a| a.id.get())
                    })
                })
                .collect();
            writers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        check(&format!("round {round}: account"), made);
    }

    // Users: each creation first hashes a password (a second of CPU in a debug build), which
    // would spread the writers out. The `user` table is locked meanwhile, so every writer stops
    // at its first look at it (or, with the domain serialising them, one does and the others
    // wait for the domain) and they all go on together when it is unlocked.
    let owners: Vec<AccountId> = (0..WRITERS)
        .map(|w| {
            db.write(|tx| {
                accounts::create(
                    tx,
                    &accounts::AccountSpec::new(
                        DomainId(1),
                        format!("owner-{w}"),
                        AccountType::Normal,
                    ),
                )
            })
            .unwrap()
            .id
        })
        .collect();
    let mut gate = cloudstack_db_testing::admin_connection().unwrap();
    diesel::sql_query(format!("LOCK TABLES `{}`.`user` WRITE", test.cloud_name()))
        .execute(&mut gate)
        .unwrap();
    let made: Vec<_> = std::thread::scope(|s| {
        let writers: Vec<_> = owners
            .iter()
            .map(|owner| {
                let owner = *owner;
                s.spawn(move || {
                    db.write(|tx| {
                        users::create(
                            tx,
                            &UserSpec {
                                username: "raced-user".into(),
                                password: Secret::new("pw"),
                                account_id: owner,
                                firstname: None,
                                lastname: None,
                                email: None,
                            },
                        )
                    })
                    .map(|u| u.id.get())
                })
            })
            .collect();
        let mut watcher = cloudstack_db_testing::admin_connection().unwrap();
        let waiting = format!(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '{}' AND COMMAND IN ('Query', 'Execute')",
            test.cloud_name()
        );
        let started = std::time::Instant::now();
        while count(&mut watcher, &waiting).unwrap() < WRITERS as i64 {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(120),
                "the writers never all waited"
            );
            std::thread::yield_now();
        }
        diesel::sql_query("UNLOCK TABLES")
            .execute(&mut gate)
            .unwrap();
        writers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    check("user", made);

    let mut conn = db.cloud().get().unwrap();
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM account WHERE account_name LIKE 'raced-%'"
        )
        .unwrap(),
        ROUNDS as i64
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM user WHERE username = 'raced-user'"
        )
        .unwrap(),
        1
    );
}

/// API key access as CloudStack decides it: the user's `api_key_access`, else the account's,
/// else the domain setting `api.key.access` (the domain's `domain_details`, its ancestors' when
/// `enable.domain.settings.for.child.domain` is true, the global value, `true`).
#[test]
fn a_correctly_signed_request_is_refused_where_api_key_access_is_off() {
    let test = common::fresh();
    let db = test.database();
    let enc = db.column_encryptor().unwrap();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let child = Tx::run(conn, &db, None, |tx| {
        domains::create(
            tx,
            &domains::DomainSpec::new(ROOT_DOMAIN, "keys", AccountId(2)),
        )
    })
    .unwrap();
    let acct = Tx::run(conn, &db, None, |tx| {
        accounts::create(
            tx,
            &accounts::AccountSpec::new(child.id, "api", AccountType::Normal),
        )
    })
    .unwrap();
    let user = Tx::run(conn, &db, None, |tx| {
        users::create(
            tx,
            &UserSpec {
                username: "bot".into(),
                password: Secret::new("pw"),
                account_id: acct.id,
                firstname: None,
                lastname: None,
                email: None,
            },
        )
    })
    .unwrap();
    let keys = Tx::run(conn, &db, None, |tx| {
        api_keys::generate_keys(tx, user.id, enc)
    })
    .unwrap();
    let request = signed(
        &keys.api_key,
        keys.secret_key.expose(),
        vec![("command".to_string(), "listZones".to_string())],
    );
    let mut check = |sql: &str| {
        if !sql.is_empty() {
            conn.batch_execute(sql).unwrap();
        }
        match authenticate_request(conn, enc, &request, Utc::now()) {
            Ok(_) => "allowed".to_owned(),
            Err(Error::AuthenticationFailed { reason }) => reason.to_owned(),
            Err(other) => panic!("{other:?}"),
        }
    };
    let off = "API key access is disabled for this user, account or domain";
    let (u, a, d) = (user.id.get(), acct.id.get(), child.id.get());
    let steps: Vec<(String, &str)> = vec![
        (String::new(), "allowed"),
        // The ConfigKey rows a management server adds at start (a fresh install lacks them).
        ("INSERT INTO configuration (instance, component, name, value, default_value) VALUES \
          ('DEFAULT', 'ApiServer', 'api.key.access', 'false', 'true'), \
          ('DEFAULT', 'ConfigDepot', 'enable.domain.settings.for.child.domain', 'false', 'false')".into(), off),
        (format!("INSERT INTO domain_details (domain_id, name, value) VALUES ({d}, 'api.key.access', 'true')"), "allowed"),
        (format!("UPDATE domain_details SET value = 'false' WHERE domain_id = {d}"), off),
        (format!("UPDATE account SET api_key_access = 1 WHERE id = {a}"), "allowed"),
        (format!("UPDATE user SET api_key_access = 0 WHERE id = {u}"), off),
        (format!("UPDATE account SET api_key_access = 0 WHERE id = {a}; UPDATE user SET api_key_access = 1 WHERE id = {u}"), "allowed"),
        // Both unset again: the domain decides; with the child's row gone, ROOT's counts only
        // when settings are inherited.
        (format!("UPDATE user SET api_key_access = NULL WHERE id = {u}; UPDATE account SET api_key_access = NULL WHERE id = {a}; DELETE FROM domain_details WHERE domain_id = {d}; UPDATE configuration SET value = 'true' WHERE name = 'api.key.access'; INSERT INTO domain_details (domain_id, name, value) VALUES (1, 'api.key.access', 'false')"), "allowed"),
        ("UPDATE configuration SET value = 'true' WHERE name = 'enable.domain.settings.for.child.domain'".into(), off),
    ];
    for (n, (sql, want)) in steps.iter().enumerate() {
        assert_eq!(check(sql), *want, "step {n}: {sql}");
    }
}
