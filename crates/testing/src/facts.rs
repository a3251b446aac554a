//! CloudStack 4.22's schema facts (`../shared/cloudstack-schema/full/`): a database built from
//! them without the crate (every table's CREATE TABLE as the server rendered it, the default
//! rows, the views), and a comparison of a live database with them that lists every difference
//! — tables, columns, indexes, foreign keys, views, default rows and what each view returns.
//!
//! The comparison reads the facts' structured fields (columns, keys, rows), not the
//! `show_create` text the migrations were generated from, so a generator mistake shows up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde_json::{Value, json};

use cloudstack_db::db::{ServerFlavor, ServerInfo};

/// The schema facts, loaded.
pub struct Facts {
    dir: PathBuf,
    schema: Value,
    /// `<db>.<table>` → (columns, rows) of the default rows.
    rows: BTreeMap<String, (Vec<String>, Vec<Vec<Value>>)>,
    /// `<db>.<table>` → the columns generated at install time (uuids, install times).
    generated: BTreeMap<String, BTreeSet<String>>,
}

impl std::fmt::Debug for Facts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Facts").field("dir", &self.dir).finish()
    }
}

/// The facts' directory beside the repository, if it is there. Under CI (`CI` set) a missing
/// directory is a failure: CI runs with `../shared` beside the repository.
pub fn facts_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cloudstack-schema/full");
    if dir.join("schema.json").exists() {
        Some(dir)
    } else if std::env::var_os("CI").is_some() {
        panic!(
            "{}: missing (CI runs with ../shared beside the repository)",
            dir.display()
        );
    } else {
        eprintln!("no ../shared/cloudstack-schema/full here: nothing to compare with");
        None
    }
}

/// A SQL literal for a fact value (strings, integers and NULL are all the rows hold).
fn literal(value: &Value) -> String {
    match value {
        Value::Null => "NULL".into(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => u8::from(*b).to_string(),
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''")),
        other => panic!("unexpected value in the facts: {other}"),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl Facts {
    /// Loads the facts from `dir` (see [`facts_dir`]).
    pub fn load(dir: &Path) -> Facts {
        let read = |p: PathBuf| {
            std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        };
        let schema: Value = serde_json::from_str(&read(dir.join("schema.json"))).expect("json");
        let mut rows = BTreeMap::new();
        for entry in std::fs::read_dir(dir.join("default-rows")).expect("default-rows") {
            let path = entry.expect("entry").path();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some(key) = file.strip_suffix(".jsonl") else {
                continue;
            };
            let text = read(path.clone());
            let mut lines = text.lines();
            let header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
            let body = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
            rows.insert(key.to_owned(), (strings(&header["columns"]), body));
        }
        let generated_json: Value =
            serde_json::from_str(&read(dir.join("default-rows/_generated_columns.json"))).unwrap();
        let generated = generated_json["differs_between_two_replays"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), strings(v).into_iter().collect()))
            .collect();
        Facts {
            dir: dir.to_owned(),
            schema,
            rows,
            generated,
        }
    }

    /// The facts as CloudStack 4.22.1 changes them (its upgrade step, as NOTES.md gives it):
    /// `vm_id` in `cloud.usage_event`, `cloud_usage.usage_event` and `cloud_usage.usage_volume`,
    /// no `backups.backup_interval_type`, and the version row `4.22.1.0`.
    pub fn with_4_22_1(mut self) -> Facts {
        let vm_id = json!({"name": "vm_id", "type": "bigint(20) unsigned",
            "type_mysql8": "bigint unsigned", "nullable": true, "default": "NULL", "extra": ""});
        for (db, table) in [
            ("cloud", "usage_event"),
            ("cloud_usage", "usage_event"),
            ("cloud_usage", "usage_volume"),
        ] {
            self.schema["databases"][db]["tables"][table]["columns"]
                .as_array_mut()
                .unwrap()
                .push(vm_id.clone());
        }
        self.schema["databases"]["cloud"]["tables"]["backups"]["columns"]
            .as_array_mut()
            .unwrap()
            .retain(|c| c["name"] != "backup_interval_type");
        let version_table = &mut self.schema["databases"]["cloud"]["tables"]["version"];
        if let Some(next) = version_table["auto_increment_after_replay"].as_i64() {
            version_table["auto_increment_after_replay"] = json!(next + 1);
        }
        let version = self.rows.get_mut("cloud.version").unwrap();
        let next = version.1.len() as u64 + 1;
        version.1.push(vec![
            json!(next),
            json!("4.22.1.0"),
            json!("2026-01-01 00:00:00"),
            json!("Complete"),
        ]);
        self
    }

    fn database(&self, db: &str) -> &Value {
        &self.schema["databases"][db]
    }

    /// Builds database `db` of the facts (`cloud` or `cloud_usage`) on `conn` without the
    /// crate: every table from its `show_create`, the default rows, then the views;
    /// `version_limit` keeps only the version rows up to that id (an older CloudStack).
    pub fn build(&self, conn: &mut MysqlConnection, db: &str, version_limit: Option<u64>) {
        let database = self.database(db);
        conn.batch_execute("SET SESSION foreign_key_checks = 0")
            .unwrap();
        for (table, facts) in database["tables"].as_object().unwrap() {
            conn.batch_execute(facts["show_create"].as_str().unwrap())
                .unwrap_or_else(|e| panic!("{db}.{table}: {e}"));
        }
        for (key, (columns, rows)) in &self.rows {
            let Some(table) = key.strip_prefix(&format!("{db}.")) else {
                continue;
            };
            let names: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
            let values: Vec<String> = rows
                .iter()
                .filter(|row| match (table, version_limit, row[0].as_u64()) {
                    ("version", Some(limit), Some(id)) => id <= limit,
                    _ => true,
                })
                .map(|row| {
                    format!(
                        "({})",
                        row.iter().map(literal).collect::<Vec<_>>().join(", ")
                    )
                })
                .collect();
            for chunk in values.chunks(200) {
                conn.batch_execute(&format!(
                    "INSERT INTO `{table}` ({}) VALUES {}",
                    names.join(", "),
                    chunk.join(", ")
                ))
                .unwrap_or_else(|e| panic!("rows of {db}.{table}: {e}"));
            }
        }
        if let Some(views) = database["views"].as_object() {
            // A view may select from another: create them until none is left (each round
            // makes at least one).
            let mut left: BTreeMap<&String, String> = views
                .iter()
                .map(|(n, v)| {
                    let sql = v["show_create_view"].as_str().unwrap();
                    let body = sql.split_once(" VIEW ").map(|(_, b)| b).unwrap_or(sql);
                    (n, format!("CREATE VIEW {body}"))
                })
                .collect();
            while !left.is_empty() {
                let before = left.len();
                left.retain(|_, sql| conn.batch_execute(sql).is_err());
                assert!(
                    left.len() < before,
                    "views that cannot be created: {left:?}"
                );
            }
        }
        conn.batch_execute("SET SESSION foreign_key_checks = 1")
            .unwrap();
    }

    /// Every difference between the live database `live_db` (on `conn`'s server) and database
    /// `db` of the facts: tables, columns (order, type, nullability, default, extra, comment,
    /// charset), engine, collation, AUTO_INCREMENT, indexes, foreign keys, views and their
    /// columns, and the default rows (generated columns only checked for NULL-ness). Diesel's
    /// bookkeeping table is not CloudStack's and is left out. Empty when they agree.
    pub fn compare(&self, conn: &mut MysqlConnection, live_db: &str, db: &str) -> Vec<String> {
        let flavor = ServerInfo::query(conn).expect("server").flavor;
        let mut diffs = Vec::new();
        let database = self.database(db);
        let tables = database["tables"].as_object().unwrap();
        let views = database["views"].as_object().cloned().unwrap_or_default();
        compare_tables(conn, live_db, db, tables, &views, flavor, &mut diffs);
        compare_columns(conn, live_db, db, tables, &views, flavor, &mut diffs);
        compare_indexes(conn, live_db, db, tables, &mut diffs);
        compare_foreign_keys(conn, live_db, db, tables, &mut diffs);
        self.compare_rows(conn, live_db, db, tables, &mut diffs);
        diffs
    }

    fn compare_rows(
        &self,
        conn: &mut MysqlConnection,
        live_db: &str,
        db: &str,
        tables: &serde_json::Map<String, Value>,
        diffs: &mut Vec<String>,
    ) {
        for (table, spec) in tables {
            let key = format!("{db}.{table}");
            let (columns, want) = match self.rows.get(&key) {
                Some((c, r)) => (c.clone(), r.clone()),
                None => (Vec::new(), Vec::new()),
            };
            let live_count = count_rows(conn, live_db, table);
            if want.is_empty() {
                if live_count != 0 {
                    diffs.push(format!(
                        "{key}: {live_count} row(s), a fresh install has none"
                    ));
                }
                continue;
            }
            if live_count != want.len() as i64 {
                diffs.push(format!(
                    "{key}: {live_count} row(s), a fresh install has {}",
                    want.len()
                ));
            }
            let generated = self.generated.get(&key).cloned().unwrap_or_default();
            let key_columns = strings(&spec["primary_key"]);
            let live = match rows_as_text(conn, live_db, table, &columns, &key_columns) {
                Ok(rows) => rows,
                Err(e) => {
                    diffs.push(e);
                    continue;
                }
            };
            let want_text: Vec<Vec<Option<String>>> = want
                .iter()
                .map(|row| row.iter().map(value_text).collect())
                .collect();
            let mut want_sorted = want_text.clone();
            let key_at: Vec<usize> = key_columns
                .iter()
                .filter_map(|k| columns.iter().position(|c| c == k))
                .collect();
            want_sorted.sort_by(|a, b| {
                let ka: Vec<_> = key_at.iter().map(|i| sort_key(&a[*i])).collect();
                let kb: Vec<_> = key_at.iter().map(|i| sort_key(&b[*i])).collect();
                ka.cmp(&kb)
            });
            for (n, (got, expected)) in live.iter().zip(&want_sorted).enumerate() {
                for (i, column) in columns.iter().enumerate() {
                    let (g, e) = (&got[i], &expected[i]);
                    let same = if generated.contains(column) {
                        g.is_some() == e.is_some()
                    } else {
                        g == e
                    };
                    if !same {
                        diffs.push(format!(
                            "{key} row {n} ({}): {column} = {g:?}, a fresh install has {e:?}",
                            key_at
                                .iter()
                                .map(|i| expected[*i].clone().unwrap_or_default())
                                .collect::<Vec<_>>()
                                .join(",")
                        ));
                    }
                }
            }
        }
    }

    /// What every view of `db` returns in `live_db` and in `reference_db` (a database built by
    /// [`Facts::build`]), compared row by row; uuids and times of the last two days are
    /// masked (they are made anew by every install). Returns the differences.
    pub fn compare_view_results(
        &self,
        conn: &mut MysqlConnection,
        live_db: &str,
        reference_db: &str,
        db: &str,
    ) -> Vec<String> {
        let mut diffs = Vec::new();
        let views = self.database(db)["views"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (view, spec) in &views {
            let columns: Vec<String> = spec["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_owned())
                .collect();
            let read = |conn: &mut MysqlConnection, schema: &str| -> Vec<String> {
                let rows = match rows_as_text(conn, schema, view, &columns, &[]) {
                    Ok(rows) => rows,
                    Err(e) => return vec![e],
                };
                let mut rows: Vec<String> = rows
                    .into_iter()
                    .map(|row| {
                        row.into_iter()
                            .map(|v| mask(v.as_deref()))
                            .collect::<Vec<_>>()
                            .join("|")
                    })
                    .collect();
                rows.sort();
                rows
            };
            let live = read(conn, live_db);
            let reference = read(conn, reference_db);
            if live != reference {
                diffs.push(format!(
                    "{db}.{view} returns {} row(s) {live:?}, a fresh install's returns {} {reference:?}",
                    live.len(),
                    reference.len()
                ));
            }
        }
        diffs
    }

    /// The names of `db`'s views that return at least one row in `live_db`.
    pub fn views_with_rows(
        &self,
        conn: &mut MysqlConnection,
        live_db: &str,
        db: &str,
    ) -> Vec<String> {
        let views = self.database(db)["views"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        views
            .keys()
            .filter(|v| count_rows(conn, live_db, v) > 0)
            .cloned()
            .collect()
    }
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Numbers sort as numbers, the rest as text.
fn sort_key(v: &Option<String>) -> (i128, String) {
    match v.as_deref().map(|s| (s.parse::<i128>(), s)) {
        Some((Ok(n), _)) => (n, String::new()),
        Some((Err(_), s)) => (i128::MIN, s.to_owned()),
        None => (i128::MIN, String::new()),
    }
}

/// A view value with what every install makes anew replaced: uuids and times of the last days.
fn mask(v: Option<&str>) -> String {
    let Some(v) = v else {
        return "NULL".into();
    };
    let is_uuid = v.len() == 36
        && v.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if is_uuid {
        return "<uuid>".into();
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S") {
        let age = chrono::Utc::now().naive_utc() - t;
        if age.num_days().abs() <= 2 {
            return "<install time>".into();
        }
    }
    v.to_owned()
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Nullable<Text>)]
    line: Option<String>,
}

const SEPARATOR: char = '\u{1f}';
const NULL_MARK: &str = "\u{0}NULL";

/// Rows of `schema.table` as text, the columns `columns`, sorted by `order_by` (numerically
/// where numbers); NULL as `None`.
fn rows_as_text(
    conn: &mut MysqlConnection,
    schema: &str,
    table: &str,
    columns: &[String],
    order_by: &[String],
) -> Result<Vec<Vec<Option<String>>>, String> {
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let select: Vec<String> = columns
        .iter()
        .map(|c| format!("COALESCE(CAST(`{c}` AS CHAR), '{NULL_MARK}')"))
        .collect();
    let order = if order_by.is_empty() {
        String::new()
    } else {
        format!(
            " ORDER BY {}",
            order_by
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let lines: Vec<Line> = diesel::sql_query(format!(
        "SELECT CONCAT_WS('{SEPARATOR}', {}) AS line FROM `{schema}`.`{table}`{order}",
        select.join(", ")
    ))
    .load(conn)
    .map_err(|e| format!("{schema}.{table} cannot be read: {e}"))?;
    Ok(lines
        .into_iter()
        .map(|l| {
            l.line
                .unwrap_or_default()
                .split(SEPARATOR)
                .map(|v| (v != NULL_MARK).then(|| v.to_owned()))
                .collect()
        })
        .collect())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count_rows(conn: &mut MysqlConnection, schema: &str, table: &str) -> i64 {
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM `{schema}`.`{table}`"))
        .get_result::<Count>(conn)
        .map(|c| c.n)
        .unwrap_or(-1)
}

#[derive(QueryableByName)]
struct LiveTable {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    table_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    engine: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    table_collation: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    auto_increment: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    table_comment: Option<String>,
}

fn compare_tables(
    conn: &mut MysqlConnection,
    live_db: &str,
    db: &str,
    tables: &serde_json::Map<String, Value>,
    views: &serde_json::Map<String, Value>,
    flavor: ServerFlavor,
    diffs: &mut Vec<String>,
) {
    let live: Vec<LiveTable> = diesel::sql_query(format!(
        "SELECT table_name AS table_name, table_type AS table_type, engine AS engine, \
                table_collation AS table_collation, CAST(auto_increment AS SIGNED) AS auto_increment, \
                table_comment AS table_comment \
           FROM information_schema.tables WHERE table_schema = '{live_db}'"
    ))
    .load(conn)
    .unwrap();
    let mut seen = BTreeSet::new();
    for t in &live {
        if t.table_name == "__diesel_schema_migrations" {
            continue;
        }
        seen.insert(t.table_name.clone());
        let at = format!("{db}.{}", t.table_name);
        if t.table_type == "VIEW" {
            if !views.contains_key(&t.table_name) {
                diffs.push(format!("{at}: a view a fresh install does not have"));
            }
            continue;
        }
        let Some(spec) = tables.get(&t.table_name) else {
            diffs.push(format!("{at}: a table a fresh install does not have"));
            continue;
        };
        if t.engine.as_deref() != spec["engine"].as_str() {
            diffs.push(format!("{at}: engine {:?}", t.engine));
        }
        if t.table_collation.as_deref() != spec["default_collation"].as_str() {
            diffs.push(format!(
                "{at}: collation {:?}, expected {}",
                t.table_collation, spec["default_collation"]
            ));
        }
        if let Some(want) = spec["auto_increment_after_replay"].as_i64() {
            // MySQL 8 caches AUTO_INCREMENT in information_schema; only MariaDB is exact.
            if flavor == ServerFlavor::MariaDb && t.auto_increment != Some(want) {
                diffs.push(format!(
                    "{at}: AUTO_INCREMENT {:?}, a fresh install has {want}",
                    t.auto_increment
                ));
            }
        }
        let want_comment = spec["comment"].as_str().unwrap_or("");
        if t.table_comment.as_deref().unwrap_or("") != want_comment {
            diffs.push(format!("{at}: comment {:?}", t.table_comment));
        }
    }
    for name in tables.keys().chain(views.keys()) {
        if !seen.contains(name) {
            diffs.push(format!("{db}.{name}: missing"));
        }
    }
}

#[derive(QueryableByName)]
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
    #[diesel(sql_type = Nullable<Text>)]
    collation_name: Option<String>,
    #[diesel(sql_type = Text)]
    column_comment: String,
}

/// What information_schema shows for a default on this server, from the facts' SQL literal
/// (MariaDB's rendering).
fn expected_default(literal: &Value, flavor: ServerFlavor) -> Option<String> {
    let literal = literal.as_str()?;
    match flavor {
        ServerFlavor::MariaDb => Some(literal.to_owned()),
        ServerFlavor::MySql if literal == "NULL" => None,
        ServerFlavor::MySql if literal == "current_timestamp()" => Some("CURRENT_TIMESTAMP".into()),
        ServerFlavor::MySql => Some(literal.trim_matches('\'').replace("''", "'")),
    }
}

fn compare_columns(
    conn: &mut MysqlConnection,
    live_db: &str,
    db: &str,
    tables: &serde_json::Map<String, Value>,
    views: &serde_json::Map<String, Value>,
    flavor: ServerFlavor,
    diffs: &mut Vec<String>,
) {
    let type_key = match flavor {
        ServerFlavor::MariaDb => "type",
        ServerFlavor::MySql => "type_mysql8",
    };
    let live: Vec<LiveColumn> = diesel::sql_query(format!(
        "SELECT table_name AS table_name, column_name AS column_name, column_type AS column_type, \
                is_nullable AS is_nullable, column_default AS column_default, extra AS extra, \
                character_set_name AS character_set_name, collation_name AS collation_name, \
                column_comment AS column_comment \
           FROM information_schema.columns WHERE table_schema = '{live_db}' \
          ORDER BY table_name, ordinal_position"
    ))
    .load(conn)
    .unwrap();
    let mut by_table: BTreeMap<&str, Vec<&LiveColumn>> = BTreeMap::new();
    for c in &live {
        by_table.entry(&c.table_name).or_default().push(c);
    }
    for (name, spec, is_view) in tables
        .iter()
        .map(|(n, s)| (n, s, false))
        .chain(views.iter().map(|(n, s)| (n, s, true)))
    {
        let Some(live_columns) = by_table.get(name.as_str()) else {
            continue; // reported as missing
        };
        let want = spec["columns"].as_array().unwrap();
        let live_names: Vec<&str> = live_columns
            .iter()
            .map(|c| c.column_name.as_str())
            .collect();
        let want_names: Vec<&str> = want.iter().map(|c| c["name"].as_str().unwrap()).collect();
        if live_names != want_names {
            diffs.push(format!(
                "{db}.{name}: columns {live_names:?}, a fresh install has {want_names:?}"
            ));
            continue;
        }
        let table_charset = spec["default_charset"].as_str().unwrap_or("utf8mb3");
        for (live, col) in live_columns.iter().zip(want) {
            let at = format!("{db}.{name}.{}", live.column_name);
            let want_type = col[type_key].as_str().unwrap();
            if live.column_type != want_type {
                diffs.push(format!(
                    "{at}: type {}, expected {want_type}",
                    live.column_type
                ));
            }
            let want_null = if col["nullable"].as_bool().unwrap() {
                "YES"
            } else {
                "NO"
            };
            if live.is_nullable != want_null {
                diffs.push(format!(
                    "{at}: nullable {}, expected {want_null}",
                    live.is_nullable
                ));
            }
            if is_view {
                continue; // a view column's default and extra follow its table's
            }
            let want_default = expected_default(&col["default"], flavor);
            if live.column_default != want_default {
                diffs.push(format!(
                    "{at}: default {:?}, expected {want_default:?}",
                    live.column_default
                ));
            }
            let want_extra = col["extra"].as_str().unwrap_or("");
            if !live.extra.eq_ignore_ascii_case(want_extra) {
                diffs.push(format!(
                    "{at}: extra {:?}, expected {want_extra:?}",
                    live.extra
                ));
            }
            let want_comment = col["comment"].as_str().unwrap_or("");
            if live.column_comment != want_comment {
                diffs.push(format!(
                    "{at}: comment {:?}, expected {want_comment:?}",
                    live.column_comment
                ));
            }
            if let Some(charset) = &live.character_set_name {
                let want_charset = col["charset"].as_str().unwrap_or(table_charset);
                if charset != want_charset {
                    diffs.push(format!("{at}: charset {charset}, expected {want_charset}"));
                }
                if let Some(want_collation) = col["collation"].as_str() {
                    if live.collation_name.as_deref() != Some(want_collation) {
                        diffs.push(format!(
                            "{at}: collation {:?}, expected {want_collation}",
                            live.collation_name
                        ));
                    }
                }
            }
        }
    }
}

#[derive(QueryableByName)]
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

fn compare_indexes(
    conn: &mut MysqlConnection,
    live_db: &str,
    db: &str,
    tables: &serde_json::Map<String, Value>,
    diffs: &mut Vec<String>,
) {
    let live: Vec<LiveIndex> = diesel::sql_query(format!(
        "SELECT table_name AS table_name, index_name AS index_name, \
                CAST(MAX(non_unique) AS SIGNED) AS non_unique, \
                GROUP_CONCAT(CONCAT(column_name, IF(sub_part IS NULL, '', CONCAT('(', sub_part, ')'))) \
                             ORDER BY seq_in_index) AS columns \
           FROM information_schema.statistics WHERE table_schema = '{live_db}' \
          GROUP BY table_name, index_name"
    ))
    .load(conn)
    .unwrap();
    let live: BTreeSet<(String, String, bool, String)> = live
        .into_iter()
        .filter(|i| i.table_name != "__diesel_schema_migrations")
        .map(|i| (i.table_name, i.index_name, i.non_unique == 0, i.columns))
        .collect();
    let mut want = BTreeSet::new();
    for (table, spec) in tables {
        want.insert((
            table.clone(),
            "PRIMARY".to_owned(),
            true,
            strings(&spec["primary_key"]).join(","),
        ));
        for (key, unique) in [("unique_named", true), ("indexes_named", false)] {
            for index in spec[key].as_array().unwrap() {
                want.insert((
                    table.clone(),
                    index["name"].as_str().unwrap().to_owned(),
                    unique,
                    strings(&index["columns"]).join(","),
                ));
            }
        }
    }
    for missing in want.difference(&live) {
        diffs.push(format!("{db}: index missing or different: {missing:?}"));
    }
    for extra in live.difference(&want) {
        diffs.push(format!(
            "{db}: index a fresh install does not have: {extra:?}"
        ));
    }
}

#[derive(QueryableByName)]
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
    #[diesel(sql_type = Text)]
    update_rule: String,
}

fn rule(r: &str) -> String {
    if r == "NO ACTION" {
        "RESTRICT".into()
    } else {
        r.to_owned()
    }
}

fn compare_foreign_keys(
    conn: &mut MysqlConnection,
    live_db: &str,
    db: &str,
    tables: &serde_json::Map<String, Value>,
    diffs: &mut Vec<String>,
) {
    let live: Vec<LiveForeignKey> = diesel::sql_query(format!(
        "SELECT k.table_name AS table_name, k.constraint_name AS constraint_name, \
                GROUP_CONCAT(k.column_name ORDER BY k.ordinal_position) AS columns, \
                k.referenced_table_name AS referenced_table_name, \
                GROUP_CONCAT(k.referenced_column_name ORDER BY k.ordinal_position) AS referenced_columns, \
                r.delete_rule AS delete_rule, r.update_rule AS update_rule \
           FROM information_schema.key_column_usage k \
           JOIN information_schema.referential_constraints r \
             ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name \
            AND r.table_name = k.table_name \
          WHERE k.table_schema = '{live_db}' AND k.referenced_table_name IS NOT NULL \
          GROUP BY k.table_name, k.constraint_name, k.referenced_table_name, r.delete_rule, r.update_rule"
    ))
    .load(conn)
    .unwrap();
    let live: BTreeSet<[String; 7]> = live
        .into_iter()
        .map(|f| {
            [
                f.table_name,
                f.constraint_name,
                f.columns,
                f.referenced_table_name,
                f.referenced_columns,
                rule(&f.delete_rule),
                rule(&f.update_rule),
            ]
        })
        .collect();
    let mut want = BTreeSet::new();
    for (table, spec) in tables {
        for fk in spec["foreign_keys"].as_array().unwrap() {
            want.insert([
                table.clone(),
                fk["name"].as_str().unwrap().to_owned(),
                strings(&fk["columns"]).join(","),
                fk["ref_table"].as_str().unwrap().to_owned(),
                strings(&fk["ref_columns"]).join(","),
                rule(fk["on_delete"].as_str().unwrap_or("RESTRICT")),
                rule(fk["on_update"].as_str().unwrap_or("RESTRICT")),
            ]);
        }
    }
    for missing in want.difference(&live) {
        diffs.push(format!(
            "{db}: foreign key missing or different: {missing:?}"
        ));
    }
    for extra in live.difference(&want) {
        diffs.push(format!(
            "{db}: foreign key a fresh install does not have: {extra:?}"
        ));
    }
}
