//! [`Tx`]: the open transaction every write of the crate runs in.

use diesel::MysqlConnection;

use super::{IdSource, SequenceName};
use crate::Result;
use crate::crypto::Encryptor;

/// An open transaction, with what writes need besides the connection: where sequence ids come
/// from and the encryptor of encrypted columns.
///
/// Only [`crate::Database::write`] (and its siblings) or [`Tx::run`] make one, and only after
/// BEGIN: a function that takes `&mut Tx` knows it runs inside a transaction, so it never
/// opens one (no savepoint) and any number of them compose into one COMMIT. Reads take a plain
/// connection, which [`Tx::conn`] gives.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, vm: VmId) -> cloudstack_db::Result<()> {
/// db.write(|tx| {
///     let row = vms::find(tx.conn(), vm)?;
///     vms::update(tx, row.instance.id, &VmChanges { ha_enabled: Some(true), ..Default::default() })
/// })?;
/// # Ok(()) }
/// ```
pub struct Tx<'t> {
    conn: &'t mut MysqlConnection,
    ids: &'t dyn IdSource,
    encryptor: Option<&'t Encryptor>,
}

impl std::fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("encrypts_columns", &self.encryptor.is_some())
            .finish_non_exhaustive()
    }
}

impl<'t> Tx<'t> {
    /// Runs `f` in a transaction on `conn` (BEGIN … COMMIT, ROLLBACK when `f` fails; see
    /// [`super::transaction`]) with `ids` for sequence ids and `encryptor` for encrypted
    /// columns. For callers that hold a connection of their own; [`crate::Database::write`] is
    /// the usual way.
    ///
    /// ```no_run
    /// use cloudstack_db::prelude::*;
    /// # fn demo(db: &Database, spec: VolumeSpec) -> cloudstack_db::Result<()> {
    /// let mut conn = db.cloud().get()?;
    /// let volume = Tx::run(&mut conn, db, db.column_encryptor(), |tx| volumes::create(tx, &spec))?;
    /// # Ok(()) }
    /// ```
    pub fn run<T>(
        conn: &mut MysqlConnection,
        ids: &dyn IdSource,
        encryptor: Option<&Encryptor>,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        super::transaction(conn, |conn| Self::within(conn, ids, encryptor, f))
    }

    /// Calls `f` with a context on `conn`, which the caller has already put in a transaction.
    pub(super) fn within<T>(
        conn: &mut MysqlConnection,
        ids: &dyn IdSource,
        encryptor: Option<&Encryptor>,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        debug_assert!(super::in_transaction(conn));
        f(&mut Tx {
            conn,
            ids,
            encryptor,
        })
    }

    /// The transaction's connection, for reads and statements of the caller's own.
    ///
    /// ```no_run
    /// # fn demo(tx: &mut cloudstack_db::db::Tx<'_>) -> cloudstack_db::Result<()> {
    /// let zones = cloudstack_db::catalog::zones::list_all(tx.conn())?;
    /// # Ok(()) }
    /// ```
    pub fn conn(&mut self) -> &mut MysqlConnection {
        self.conn
    }

    /// The next id of `name`, taken the way CloudStack does: on a connection of its own, in a
    /// short transaction of its own, so this transaction never holds the sequence lock (an id
    /// taken by a transaction that later rolls back is not reused, as in CloudStack).
    ///
    /// ```no_run
    /// # fn demo(tx: &mut cloudstack_db::db::Tx<'_>) -> cloudstack_db::Result<()> {
    /// let id = tx.next_id(cloudstack_db::db::SequenceName::Volume)?;
    /// # Ok(()) }
    /// ```
    pub fn next_id(&self, name: SequenceName) -> Result<u64> {
        self.ids.next_id(name)
    }

    /// The encryptor of encrypted columns (`db.cloud.encrypt.secret`), when configured; without
    /// one such columns are stored as given.
    ///
    /// ```no_run
    /// # fn demo(tx: &mut cloudstack_db::db::Tx<'_>) {
    /// let encrypts = tx.encryptor().is_some();
    /// # }
    /// ```
    pub fn encryptor(&self) -> Option<&Encryptor> {
        self.encryptor
    }
}
