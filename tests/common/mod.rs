//! Helpers shared by the integration tests.
#![allow(dead_code)]

use cloudstack_db::Result;
use cloudstack_db::testing::TestDatabases;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

/// Fresh migrated databases, or a panic that says why.
pub fn fresh() -> TestDatabases {
    TestDatabases::new().expect("test databases")
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The server-side id of a connection (`CONNECTION_ID()`).
pub fn connection_id(conn: &mut MysqlConnection) -> Result<i64> {
    let row: Id =
        diesel::sql_query("SELECT CAST(CONNECTION_ID() AS SIGNED) AS id").get_result(conn)?;
    Ok(row.id)
}

/// A scratch table `t (id, v)` with rows 1 and 2, for lock and transaction tests.
pub fn create_scratch_table(conn: &mut MysqlConnection) -> Result<()> {
    conn.batch_execute(
        "CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL DEFAULT 0) ENGINE=InnoDB; \
         INSERT INTO t (id, v) VALUES (1, 0), (2, 0); \
         CREATE TABLE effects (id INT AUTO_INCREMENT PRIMARY KEY, who VARCHAR(8) NOT NULL) ENGINE=InnoDB",
    )?;
    Ok(())
}

/// Kills connection `id` from a separate admin session.
pub fn kill(id: i64) -> Result<()> {
    let mut admin = cloudstack_db::testing::admin_connection()?;
    admin.batch_execute(&format!("KILL CONNECTION {id}"))?;
    Ok(())
}
