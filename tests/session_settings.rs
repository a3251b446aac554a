//! Every pooled connection carries CloudStack's session settings, and checkout costs no query.

mod common;

use cloudstack_db::db::{
    CLOUDSTACK_SQL_MODE, IsolationLevel, PoolSettings, ServerInfo, SessionSnapshot,
};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

#[test]
fn every_pooled_connection_has_cloudstack_session_settings() {
    let test = common::fresh();
    let pool = test.database().cloud();
    // Hold several at once so they are distinct connections.
    let mut conns: Vec<_> = (0..3).map(|_| pool.get().unwrap()).collect();
    let mut ids = Vec::new();
    let mut expected: Vec<&str> = CLOUDSTACK_SQL_MODE.split(',').collect();
    expected.sort_unstable();
    for conn in &mut conns {
        ids.push(common::connection_id(conn).unwrap());
        let live = SessionSnapshot::read(conn).unwrap();
        assert_eq!(live.sql_mode_flags(), expected);
        assert_eq!(live.time_zone, "+00:00");
        assert_eq!(
            live.isolation_level(),
            Some(IsolationLevel::ReadCommitted),
            "{live:?}"
        );
        assert_eq!(live.lc_messages, "en_US");
        assert_eq!(live.autocommit, "1");
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    // The usage pool gets them too.
    let mut usage = test.database().usage().get().unwrap();
    let live = SessionSnapshot::read(&mut usage).unwrap();
    assert_eq!(live.isolation_level(), Some(IsolationLevel::ReadCommitted));
    assert_eq!(live.sql_mode_flags(), expected);
}

#[test]
fn isolation_variable_matches_the_server() {
    let test = common::fresh();
    let mut conn = test.database().cloud().get().unwrap();
    let info = ServerInfo::query(&mut conn).unwrap();
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = Text)]
        v: String,
    }
    let sql = format!("SELECT @@session.{} AS v", info.isolation_variable());
    let v: V = diesel::sql_query(sql).get_result(&mut *conn).unwrap();
    assert_eq!(v.v, "READ-COMMITTED");
    assert!(info.supports_skip_locked(), "{info:?}");
}

#[derive(QueryableByName)]
struct Questions {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn questions(conn: &mut MysqlConnection) -> i64 {
    diesel::sql_query(
        "SELECT CAST(variable_value AS SIGNED) AS n FROM information_schema.session_status \
         WHERE variable_name = 'QUESTIONS'",
    )
    .get_result::<Questions>(conn)
    .unwrap()
    .n
}

#[test]
fn checking_out_a_pooled_connection_sends_no_query() {
    let test = common::fresh();
    let config = test.config_with(PoolSettings {
        max_size: 1,
        ..cloudstack_db_testing::test_pool_settings()
    });
    let db = cloudstack_db::Database::connect(&config).unwrap();
    let pool = db.cloud();
    // Baseline: two reads on one checkout.
    let baseline = {
        let mut conn = pool.get().unwrap();
        let a = questions(&mut conn);
        let b = questions(&mut conn);
        b - a
    };
    // The same two reads with a return to the pool and a new checkout in between.
    let mut conn = pool.get().unwrap();
    let id = common::connection_id(&mut conn).unwrap();
    let a = questions(&mut conn);
    drop(conn);
    let mut conn = pool.get().unwrap();
    assert_eq!(
        common::connection_id(&mut conn).unwrap(),
        id,
        "the pool reused its only connection"
    );
    let b = questions(&mut conn);
    // connection_id() ran once in between, so one more statement than the baseline.
    assert_eq!(b - a, baseline + 1, "checkout must not send a statement");
}
