//! Two raw clients behind one small interface, for the hand-written side of the benches:
//! libmysqlclient itself (the C library Diesel uses; text protocol, values escaped into the
//! SQL — one round trip a statement) and the `mysql` crate (pure Rust; binary protocol with its
//! own prepared-statement cache). Rows come back as positional byte strings.

use std::ffi::{CStr, CString};

use mysql::prelude::*;

#[derive(Clone, Copy)]
pub enum P<'a> {
    U(u64),
    I(i64),
    S(&'a str),
    N,
}

pub type Rows = Vec<Vec<Option<Vec<u8>>>>;

pub trait Client {
    fn query(&mut self, sql: &str, params: &[P]) -> Rows;
    /// A statement without a result set; returns the affected rows.
    fn exec(&mut self, sql: &str, params: &[P]) -> u64;
    fn text(&mut self, sql: &str);
}

pub fn u64_at(rows: &Rows, row: usize, column: usize) -> u64 {
    let bytes = rows[row][column].as_ref().expect("a value");
    std::str::from_utf8(bytes).unwrap().parse().unwrap()
}

pub fn str_at(rows: &Rows, row: usize, column: usize) -> Option<String> {
    rows[row][column]
        .as_ref()
        .map(|b| String::from_utf8(b.clone()).unwrap())
}

// ---------------------------------------------------------------- libmysqlclient

pub struct LibMysql {
    conn: *mut mysqlclient_sys::MYSQL,
}

impl LibMysql {
    pub fn connect(host: &str, port: u16, user: &str, password: &str, database: &str) -> Self {
        unsafe {
            let conn = mysqlclient_sys::mysql_init(std::ptr::null_mut());
            let c = |s: &str| CString::new(s).unwrap();
            let (host, user, password, database) = (c(host), c(user), c(password), c(database));
            let ok = mysqlclient_sys::mysql_real_connect(
                conn,
                host.as_ptr(),
                user.as_ptr(),
                password.as_ptr(),
                database.as_ptr(),
                u32::from(port),
                std::ptr::null(),
                0,
            );
            assert!(!ok.is_null(), "connect: {}", error(conn));
            let mut me = Self { conn };
            me.text("SET NAMES utf8mb4");
            me
        }
    }

    fn escape(&mut self, s: &str) -> String {
        let mut out = vec![0u8; s.len() * 2 + 1];
        let n = unsafe {
            mysqlclient_sys::mysql_real_escape_string(
                self.conn,
                out.as_mut_ptr().cast(),
                s.as_ptr().cast(),
                s.len() as _,
            )
        };
        out.truncate(n as usize);
        String::from_utf8(out).unwrap()
    }

    fn bind(&mut self, sql: &str, params: &[P]) -> String {
        let mut out = String::with_capacity(sql.len() + params.len() * 8);
        let mut params = params.iter();
        for (i, piece) in sql.split('?').enumerate() {
            if i > 0 {
                match params.next().expect("a parameter per ?") {
                    P::U(v) => out.push_str(&v.to_string()),
                    P::I(v) => out.push_str(&v.to_string()),
                    P::S(s) => {
                        out.push('\'');
                        let escaped = self.escape(s);
                        out.push_str(&escaped);
                        out.push('\'');
                    }
                    P::N => out.push_str("NULL"),
                }
            }
            out.push_str(piece);
        }
        out
    }

    fn run(&mut self, sql: &str) -> *mut mysqlclient_sys::MYSQL_RES {
        unsafe {
            let rc =
                mysqlclient_sys::mysql_real_query(self.conn, sql.as_ptr().cast(), sql.len() as _);
            assert_eq!(rc, 0, "{sql}: {}", error(self.conn));
            mysqlclient_sys::mysql_store_result(self.conn)
        }
    }
}

fn error(conn: *mut mysqlclient_sys::MYSQL) -> String {
    unsafe {
        CStr::from_ptr(mysqlclient_sys::mysql_error(conn))
            .to_string_lossy()
            .into_owned()
    }
}

impl Client for LibMysql {
    fn query(&mut self, sql: &str, params: &[P]) -> Rows {
        let sql = self.bind(sql, params);
        let res = self.run(&sql);
        assert!(!res.is_null(), "{sql}: no result set");
        let mut rows = Vec::new();
        unsafe {
            let fields = mysqlclient_sys::mysql_num_fields(res) as usize;
            loop {
                let row = mysqlclient_sys::mysql_fetch_row(res);
                if row.is_null() {
                    break;
                }
                let lengths =
                    std::slice::from_raw_parts(mysqlclient_sys::mysql_fetch_lengths(res), fields);
                let values = std::slice::from_raw_parts(row, fields);
                rows.push(
                    values
                        .iter()
                        .zip(lengths)
                        .map(|(v, len)| {
                            (!v.is_null()).then(|| {
                                std::slice::from_raw_parts(v.cast::<u8>(), *len as usize).to_vec()
                            })
                        })
                        .collect(),
                );
            }
            mysqlclient_sys::mysql_free_result(res);
        }
        rows
    }

    fn exec(&mut self, sql: &str, params: &[P]) -> u64 {
        let sql = self.bind(sql, params);
        let res = self.run(&sql);
        if !res.is_null() {
            unsafe { mysqlclient_sys::mysql_free_result(res) };
        }
        unsafe { mysqlclient_sys::mysql_affected_rows(self.conn) }
    }

    fn text(&mut self, sql: &str) {
        self.exec(sql, &[]);
    }
}

impl Drop for LibMysql {
    fn drop(&mut self) {
        unsafe { mysqlclient_sys::mysql_close(self.conn) }
    }
}

// ---------------------------------------------------------------- the mysql crate

pub struct RustMysql {
    conn: mysql::Conn,
}

impl RustMysql {
    pub fn connect(url: &str) -> Self {
        Self {
            conn: mysql::Conn::new(mysql::Opts::from_url(url).unwrap()).unwrap(),
        }
    }
}

fn values(params: &[P]) -> mysql::Params {
    if params.is_empty() {
        return mysql::Params::Empty;
    }
    mysql::Params::Positional(
        params
            .iter()
            .map(|p| match p {
                P::U(v) => mysql::Value::UInt(*v),
                P::I(v) => mysql::Value::Int(*v),
                P::S(s) => mysql::Value::Bytes(s.as_bytes().to_vec()),
                P::N => mysql::Value::NULL,
            })
            .collect(),
    )
}

fn bytes(value: mysql::Value) -> Option<Vec<u8>> {
    match value {
        mysql::Value::NULL => None,
        mysql::Value::Bytes(b) => Some(b),
        mysql::Value::Int(v) => Some(v.to_string().into_bytes()),
        mysql::Value::UInt(v) => Some(v.to_string().into_bytes()),
        other => Some(other.as_sql(true).into_bytes()),
    }
}

impl Client for RustMysql {
    fn query(&mut self, sql: &str, params: &[P]) -> Rows {
        let rows: Vec<mysql::Row> = self.conn.exec(sql, values(params)).unwrap();
        rows.into_iter()
            .map(|r| r.unwrap().into_iter().map(bytes).collect())
            .collect()
    }

    fn exec(&mut self, sql: &str, params: &[P]) -> u64 {
        self.conn.exec_drop(sql, values(params)).unwrap();
        self.conn.affected_rows()
    }

    fn text(&mut self, sql: &str) {
        self.conn.query_drop(sql).unwrap();
    }
}
