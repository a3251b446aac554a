//! The async face under a tokio runtime, as a management server would use it: many request
//! handlers at once — more than the pool has connections — each writing an event and its
//! usage event in one transaction and reading them back, while the runtime's two workers stay
//! free (a ticker task keeps ticking throughout).
//!
//! ```sh
//! cargo run --features async --example async_server -- --db-properties target/main-job/conf/db.properties
//! ```
//! Without arguments it uses `CLOUD_DATABASE_URL` / `USAGE_DATABASE_URL` (databases that the
//! crate's migrations have set up).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cloudstack_db::db::{DatabaseConfig, RetryPolicy};
use cloudstack_db::events::usage_events::kinds;
use cloudstack_db::events::{EventLevel, log, record_usage_event, usage_event_for};
use cloudstack_db::types::{AccountId, DomainId, EventId, UserId, ZoneId};
use cloudstack_db::{AsyncDatabase, Database, Result};

const HANDLERS: u64 = 64;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("a tokio runtime");
    if let Err(err) = runtime.block_on(run()) {
        eprintln!("async_server failed: {err}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut config = match args.as_slice() {
        [flag, path] if flag == "--db-properties" => DatabaseConfig::from_db_properties_file(path)?,
        [] => DatabaseConfig::from_env()?,
        _ => {
            return Err(cloudstack_db::Error::Config(
                "usage: async_server [--db-properties FILE]".into(),
            ));
        }
    };
    // A small pool, so the handlers outnumber the connections and queue for them.
    config.cloud.pool.max_size = 8;
    let db = AsyncDatabase::new(Database::connect(&config)?);
    let pool_size = db.blocking().cloud().max_size();

    // A ticker on the runtime: if a database call blocked a worker, it would stall.
    let ticks = Arc::new(AtomicU64::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_millis(5));
            loop {
                every.tick().await;
                ticks.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    let started = std::time::Instant::now();
    let handlers: Vec<_> = (0..HANDLERS)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let id: EventId = db
                    .write_with_retry(RetryPolicy::default(), move |tx| {
                        let event = log::event(
                            "VM.START",
                            &format!("async request {i}"),
                            UserId(2),
                            AccountId(2),
                            DomainId(1),
                            EventLevel::Info,
                        );
                        let id = log::record(tx, event)?;
                        let usage = usage_event_for(
                            kinds::VM_START,
                            AccountId(2),
                            ZoneId(1),
                            1_000_000 + i,
                            &format!("async-vm-{i}"),
                        );
                        record_usage_event(tx, usage)?;
                        Ok(id)
                    })
                    .await?;
                db.read(move |conn| {
                    use cloudstack_db::schema::cloud::event;
                    use diesel::prelude::*;
                    Ok(event::table
                        .filter(event::id.eq(id))
                        .select(event::description)
                        .first::<String>(conn)?)
                })
                .await
            })
        })
        .collect();
    let mut answered = 0;
    for handler in handlers {
        let description = handler.await.expect("a handler task")?;
        assert!(description.starts_with("async request"));
        answered += 1;
    }
    ticker.abort();
    println!(
        "{answered} concurrent handlers on a pool of {pool_size} connections answered in {:?}; \
         the runtime ticker ticked {} times meanwhile",
        started.elapsed(),
        ticks.load(Ordering::Relaxed)
    );
    Ok(())
}
