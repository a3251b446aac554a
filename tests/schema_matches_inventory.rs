//! The migrated databases match CloudStack 4.22's schema facts (`tests/data/cloudstack-4.22-inventory.json`,
//! a copy of `shared/cloudstack-schema/inventory.json`) column by column, key by key, with zero
//! differences.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use cloudstack_db::db::{ServerFlavor, ServerInfo};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde_json::Value;

const INVENTORY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/cloudstack-4.22-inventory.json"
);

fn inventory() -> Value {
    serde_json::from_str(&std::fs::read_to_string(INVENTORY).unwrap()).unwrap()
}

/// Columns added after 4.22.0 that the crate includes (NOTES.md section 1): (db, table, column, type).
const POST_4_22_0: &[(&str, &str, &str, &str)] = &[
    ("cloud", "usage_event", "vm_id", "bigint(20) unsigned"),
    (
        "cloud_usage",
        "usage_volume",
        "vm_id",
        "bigint(20) unsigned",
    ),
    ("cloud_usage", "usage_event", "vm_id", "bigint(20) unsigned"),
];

/// `cloud_usage.usage_event` is outside the inventory's `databases` section; NOTES.md section
/// 10 gives it the columns and index of `cloud.usage_event`, so it is checked against that.
fn with_usage_event_copy(
    inventory: &Value,
    tables: &serde_json::Map<String, Value>,
) -> serde_json::Map<String, Value> {
    let mut tables = tables.clone();
    let source = inventory["databases"]["cloud"]["usage_event"].clone();
    let names: Vec<&str> = source["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "id",
            "type",
            "account_id",
            "created",
            "zone_id",
            "resource_id",
            "resource_name",
            "offering_id",
            "template_id",
            "size",
            "resource_type",
            "processed",
            "virtual_size"
        ],
        "NOTES.md section 10 lists these columns"
    );
    tables.insert("usage_event".to_owned(), source);
    tables
}

#[derive(QueryableByName, Debug)]
struct LiveColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    column_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
    #[diesel(sql_type = Nullable<Text>)]
    column_default: Option<String>,
    #[diesel(sql_type = Text)]
    extra: String,
    #[diesel(sql_type = Nullable<Text>)]
    character_set_name: Option<String>,
    #[diesel(sql_type = BigInt)]
    ordinal_position: i64,
}

#[derive(QueryableByName, Debug)]
struct LiveIndex {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = BigInt)]
    non_unique: i64,
    #[diesel(sql_type = Text)]
    columns: String,
}

#[derive(QueryableByName, Debug)]
struct LiveForeignKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    constraint_name: String,
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = Text)]
    referenced_table_name: String,
    #[diesel(sql_type = Text)]
    referenced_columns: String,
    #[diesel(sql_type = Text)]
    delete_rule: String,
}

#[derive(QueryableByName, Debug)]
struct LiveTable {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    engine: String,
    #[diesel(sql_type = Text)]
    table_collation: String,
}

/// What information_schema shows for a default on this server, from the inventory's SQL literal.
fn expected_default(literal: &Value, flavor: ServerFlavor) -> Option<String> {
    let literal = literal.as_str()?;
    match flavor {
        ServerFlavor::MariaDb => Some(literal.to_owned()),
        ServerFlavor::MySql if literal == "NULL" => None,
        ServerFlavor::MySql => Some(literal.trim_matches('\'').to_owned()),
    }
}

fn compare_database(
    conn: &mut MysqlConnection,
    live_db: &str,
    tables: &serde_json::Map<String, Value>,
    inventory_db: &str,
    flavor: ServerFlavor,
) -> Vec<String> {
    let mut diffs = Vec::new();
    let type_key = if flavor == ServerFlavor::MariaDb {
        "type"
    } else {
        "type_mysql8"
    };

    let live: Vec<LiveColumn> = diesel::sql_query(format!(
        "SELECT table_name AS table_name, column_name AS column_name, column_type AS column_type, \
                is_nullable AS is_nullable, column_default AS column_default, extra AS extra, \
                character_set_name AS character_set_name, CAST(ordinal_position AS SIGNED) AS ordinal_position \
           FROM information_schema.columns WHERE table_schema = '{live_db}'"
    ))
    .load(conn)
    .unwrap();
    let mut live_by_table: BTreeMap<&str, BTreeMap<&str, &LiveColumn>> = BTreeMap::new();
    for c in &live {
        live_by_table
            .entry(&c.table_name)
            .or_default()
            .insert(&c.column_name, c);
    }

    for (table, spec) in tables {
        let Some(live_cols) = live_by_table.get(table.as_str()) else {
            diffs.push(format!("{inventory_db}.{table}: table missing"));
            continue;
        };
        let columns = spec["columns"].as_array().unwrap();
        let extra_cols: Vec<_> = POST_4_22_0
            .iter()
            .filter(|(d, t, _, _)| *d == inventory_db && t == table)
            .collect();
        if live_cols.len() != columns.len() + extra_cols.len() {
            diffs.push(format!(
                "{inventory_db}.{table}: {} live columns, {} expected",
                live_cols.len(),
                columns.len() + extra_cols.len()
            ));
        }
        for (position, col) in columns.iter().enumerate() {
            let name = col["name"].as_str().unwrap();
            let Some(live) = live_cols.get(name) else {
                diffs.push(format!("{inventory_db}.{table}.{name}: column missing"));
                continue;
            };
            let at = format!("{inventory_db}.{table}.{name}");
            let want_type = col[type_key].as_str().unwrap();
            if live.column_type != want_type {
                diffs.push(format!("{at}: type {} != {want_type}", live.column_type));
            }
            let want_null = if col["nullable"].as_bool().unwrap() {
                "YES"
            } else {
                "NO"
            };
            if live.is_nullable != want_null {
                diffs.push(format!(
                    "{at}: nullable {} != {want_null}",
                    live.is_nullable
                ));
            }
            let want_default = expected_default(&col["default"], flavor);
            if live.column_default != want_default {
                diffs.push(format!(
                    "{at}: default {:?} != {want_default:?}",
                    live.column_default
                ));
            }
            let want_auto = col["extra"].as_str().unwrap() == "auto_increment";
            if live.extra.contains("auto_increment") != want_auto {
                diffs.push(format!("{at}: extra {:?}", live.extra));
            }
            if live.ordinal_position != position as i64 + 1 {
                diffs.push(format!(
                    "{at}: position {} != {}",
                    live.ordinal_position,
                    position + 1
                ));
            }
            if let Some(charset) = col.get("charset").and_then(Value::as_str) {
                if live.character_set_name.as_deref() != Some(charset) {
                    diffs.push(format!(
                        "{at}: charset {:?} != {charset}",
                        live.character_set_name
                    ));
                }
            } else if let Some(cs) = &live.character_set_name {
                if !cs.starts_with("utf8") || cs == "utf8mb4" {
                    diffs.push(format!("{at}: charset {cs} != utf8mb3 (table default)"));
                }
            }
        }
        for (_, _, name, ty) in extra_cols {
            match live_cols.get(name) {
                Some(live) if live.column_type == *ty && live.is_nullable == "YES" => {}
                other => diffs.push(format!("{inventory_db}.{table}.{name} (4.22.1): {other:?}")),
            }
        }
    }

    // Indexes: primary key, unique keys and plain indexes by name and column list.
    let indexes: Vec<LiveIndex> = diesel::sql_query(format!(
        "SELECT table_name AS table_name, index_name AS index_name, CAST(MAX(non_unique) AS SIGNED) AS non_unique, \
                GROUP_CONCAT(column_name ORDER BY seq_in_index) AS columns \
           FROM information_schema.statistics WHERE table_schema = '{live_db}' \
          GROUP BY table_name, index_name"
    ))
    .load(conn)
    .unwrap();
    let live_indexes: BTreeSet<(String, String, bool, String)> = indexes
        .into_iter()
        .filter(|i| i.table_name != "__diesel_schema_migrations")
        .map(|i| (i.table_name, i.index_name, i.non_unique == 0, i.columns))
        .collect();
    let mut want_indexes = BTreeSet::new();
    let join = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect::<Vec<_>>()
            .join(",")
    };
    for (table, spec) in tables {
        want_indexes.insert((
            table.clone(),
            "PRIMARY".to_owned(),
            true,
            join(&spec["primary_key"]),
        ));
        for u in spec["unique_named"].as_array().unwrap() {
            want_indexes.insert((
                table.clone(),
                u["name"].as_str().unwrap().to_owned(),
                true,
                join(&u["columns"]),
            ));
        }
        for i in spec["indexes_named"].as_array().unwrap() {
            want_indexes.insert((
                table.clone(),
                i["name"].as_str().unwrap().to_owned(),
                false,
                join(&i["columns"]),
            ));
        }
    }
    for missing in want_indexes.difference(&live_indexes) {
        diffs.push(format!(
            "{inventory_db}: index missing or different: {missing:?}"
        ));
    }
    for extra in live_indexes.difference(&want_indexes) {
        diffs.push(format!("{inventory_db}: unexpected index: {extra:?}"));
    }

    // Foreign keys among in-scope tables.
    let fks: Vec<LiveForeignKey> = diesel::sql_query(format!(
        "SELECT k.table_name AS table_name, k.constraint_name AS constraint_name, \
                GROUP_CONCAT(k.column_name ORDER BY k.ordinal_position) AS columns, \
                k.referenced_table_name AS referenced_table_name, \
                GROUP_CONCAT(k.referenced_column_name ORDER BY k.ordinal_position) AS referenced_columns, \
                r.delete_rule AS delete_rule \
           FROM information_schema.key_column_usage k \
           JOIN information_schema.referential_constraints r \
             ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name \
          WHERE k.table_schema = '{live_db}' AND k.referenced_table_name IS NOT NULL \
          GROUP BY k.table_name, k.constraint_name, k.referenced_table_name, r.delete_rule"
    ))
    .load(conn)
    .unwrap();
    let live_fks: BTreeSet<(String, String, String, String, String, String)> = fks
        .into_iter()
        .map(|f| {
            (
                f.table_name,
                f.constraint_name,
                f.columns,
                f.referenced_table_name,
                f.referenced_columns,
                f.delete_rule,
            )
        })
        .collect();
    let mut want_fks = BTreeSet::new();
    for (table, spec) in tables {
        for fk in spec["foreign_keys"].as_array().unwrap() {
            let target = fk["ref_table"].as_str().unwrap();
            if !tables.contains_key(target) {
                continue; // outside the crate's scope: left out on purpose
            }
            let rule = fk["on_delete"].as_str().unwrap_or("RESTRICT");
            let rule = if rule == "NO ACTION" {
                "RESTRICT"
            } else {
                rule
            };
            want_fks.insert((
                table.clone(),
                fk["name"].as_str().unwrap().to_owned(),
                join(&fk["columns"]),
                target.to_owned(),
                join(&fk["ref_columns"]),
                rule.to_owned(),
            ));
        }
    }
    let live_fks: BTreeSet<_> = live_fks
        .into_iter()
        .map(|(t, n, c, rt, rc, rule)| {
            (
                t,
                n,
                c,
                rt,
                rc,
                if rule == "NO ACTION" {
                    "RESTRICT".to_owned()
                } else {
                    rule
                },
            )
        })
        .collect();
    for missing in want_fks.difference(&live_fks) {
        diffs.push(format!(
            "{inventory_db}: foreign key missing or different: {missing:?}"
        ));
    }
    for extra in live_fks.difference(&want_fks) {
        diffs.push(format!("{inventory_db}: unexpected foreign key: {extra:?}"));
    }

    // Engine and collation of every table; no table beyond the inventory.
    let live_tables: Vec<LiveTable> = diesel::sql_query(format!(
        "SELECT table_name AS table_name, engine AS engine, table_collation AS table_collation \
           FROM information_schema.tables WHERE table_schema = '{live_db}' AND table_type = 'BASE TABLE'"
    ))
    .load(conn)
    .unwrap();
    for t in &live_tables {
        if t.table_name == "__diesel_schema_migrations" {
            continue;
        }
        match tables.get(&t.table_name) {
            None => diffs.push(format!(
                "{inventory_db}.{}: table not in the inventory",
                t.table_name
            )),
            Some(spec) => {
                if t.engine != spec["engine"].as_str().unwrap() {
                    diffs.push(format!(
                        "{inventory_db}.{}: engine {}",
                        t.table_name, t.engine
                    ));
                }
                if t.table_collation != spec["default_collation"].as_str().unwrap() {
                    diffs.push(format!(
                        "{inventory_db}.{}: collation {}",
                        t.table_name, t.table_collation
                    ));
                }
            }
        }
    }
    diffs
}

#[test]
fn every_column_key_and_index_matches_the_cloudstack_inventory() {
    let test = common::fresh();
    let inventory = inventory();
    let mut conn = test.database().cloud().get().unwrap();
    let flavor = ServerInfo::query(&mut conn).unwrap().flavor;
    let mut diffs = Vec::new();
    for (inventory_db, live_db) in [
        ("cloud", test.cloud_name()),
        ("cloud_usage", test.usage_name()),
    ] {
        let mut tables = inventory["databases"][inventory_db]
            .as_object()
            .unwrap()
            .clone();
        if inventory_db == "cloud_usage" {
            tables = with_usage_event_copy(&inventory, &tables);
        }
        diffs.extend(compare_database(
            &mut conn,
            live_db,
            &tables,
            inventory_db,
            flavor,
        ));
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    // The comparison saw all 530 inventory columns.
    let counted: usize = ["cloud", "cloud_usage"]
        .iter()
        .flat_map(|db| inventory["databases"][*db].as_object().unwrap().values())
        .map(|t| t["columns"].as_array().unwrap().len())
        .sum();
    assert_eq!(counted, 530);
}

#[test]
fn the_inventory_copy_is_the_shared_one_when_it_is_there() {
    // CI and developers have ../shared beside the repository; the committed copy must not drift.
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/cloudstack-schema/inventory.json"
    );
    match std::fs::read_to_string(shared) {
        Ok(text) => {
            let shared: Value = serde_json::from_str(&text).unwrap();
            assert!(
                shared == inventory(),
                "tests/data/cloudstack-4.22-inventory.json is stale: copy it again"
            );
        }
        // CI always has ../shared beside the clone: there, a missing file is a failure.
        Err(err) if std::env::var_os("CI").is_some() => {
            panic!("{shared}: {err} (CI runs with ../shared beside the repository)")
        }
        Err(_) => {
            eprintln!("no ../shared/cloudstack-schema here; the committed copy is used as is")
        }
    }
}
