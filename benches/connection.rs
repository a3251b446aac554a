//! Connection layer cost: a point read through the pool (checkout + query + return) against the
//! same SQL on a raw connection held outside the pool. The ratio is the pool's overhead.
//!
//! `cargo bench --bench connection`

use cloudstack_db_testing::TestDatabases;
use criterion::{Criterion, criterion_group, criterion_main};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

const POINT_READ: &str = "SELECT CAST(value AS SIGNED) AS value FROM sequence WHERE name = ?";

fn point_read(conn: &mut MysqlConnection, name: &str) -> QueryResult<i64> {
    diesel::sql_query(POINT_READ)
        .bind::<Text, _>(name)
        .get_result::<Value>(conn)
        .map(|v| v.value)
}

fn bench(c: &mut Criterion) {
    let test = TestDatabases::new().expect("test databases");
    let db = test.database();
    db.cloud()
        .run(|c| {
            c.batch_execute("INSERT INTO sequence (name, value) VALUES ('bench_seq', 42)")?;
            Ok(())
        })
        .expect("seed");
    let mut raw = test.raw_cloud_connection().expect("raw connection");

    let mut group = c.benchmark_group("point_read");
    group.bench_function("raw_connection", |b| {
        b.iter(|| assert_eq!(point_read(&mut raw, "bench_seq").unwrap(), 42))
    });
    group.bench_function("pool_checkout_and_read", |b| {
        b.iter(|| {
            let v = db.cloud().run(|c| Ok(point_read(c, "bench_seq")?)).unwrap();
            assert_eq!(v, 42)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
