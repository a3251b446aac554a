//! Ids the way CloudStack's `SequenceFetcher` hands them out.

use diesel::prelude::*;

use super::{DbPool, transaction};
use crate::schema::cloud::sequence;
use crate::{Database, Error, Result};

/// The `sequence` rows behind the tables whose ids do not come from AUTO_INCREMENT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SequenceName {
    /// `vm_instance_seq`: ids of `vm_instance` (and `user_vm`).
    VmInstance,
    /// `volume_seq`: ids of `volumes`.
    Volume,
    /// `vm_template_seq`: ids of user templates (from 200).
    VmTemplate,
    /// `networks_seq`: ids of `networks` (from 200).
    Networks,
}

impl SequenceName {
    /// The `sequence.name` value.
    ///
    /// ```
    /// assert_eq!(cloudstack_db::db::SequenceName::Volume.as_str(), "volume_seq");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VmInstance => "vm_instance_seq",
            Self::Volume => "volume_seq",
            Self::VmTemplate => "vm_template_seq",
            Self::Networks => "networks_seq",
        }
    }
}

/// Takes the next id of `name` exactly as CloudStack does: `SELECT value ... FOR UPDATE`, use
/// it, `UPDATE sequence SET value = value + 1`, in a transaction of its own on `conn`.
///
/// Called on a connection that is already in a transaction, the sequence row stays locked until
/// that transaction ends, which serialises every creator: prefer an [`IdSource`] that uses its
/// own connection ([`DbPool`], [`Database`]).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::db::{next_in_sequence, SequenceName};
/// let id = next_in_sequence(conn, SequenceName::VmInstance)?;
/// # Ok(()) }
/// ```
pub fn next_in_sequence(conn: &mut MysqlConnection, name: SequenceName) -> Result<u64> {
    transaction(conn, |conn| {
        let value: u64 = sequence::table
            .filter(sequence::name.eq(name.as_str()))
            .select(sequence::value)
            .for_update()
            .first(conn)
            .map_err(|e| match e {
                diesel::result::Error::NotFound => {
                    Error::Config(format!("the sequence table has no `{}` row", name.as_str()))
                }
                other => other.into(),
            })?;
        BumpSequence {
            name: name.as_str(),
        }
        .execute(conn)?;
        Ok(value)
    })
}

/// Where repositories take sequence ids from.
///
/// A pool (or a [`Database`]) takes each id on a connection of its own, in its own short
/// transaction, as CloudStack does — so the caller's transaction never holds the sequence lock.
/// Use a [`Database`] (its separate sequence pool) rather than the pool the caller's own
/// connection came from: a caller holding the pool's last connection would otherwise wait for
/// itself.
pub trait IdSource {
    /// The next id of `name`.
    fn next_id(&self, name: SequenceName) -> Result<u64>;
}

impl<T: IdSource + ?Sized> IdSource for &T {
    fn next_id(&self, name: SequenceName) -> Result<u64> {
        (**self).next_id(name)
    }
}

impl IdSource for DbPool {
    fn next_id(&self, name: SequenceName) -> Result<u64> {
        self.run(|conn| next_in_sequence(conn, name))
    }
}

/// A connection of its own behind a lock, for tools that hold connections rather than a pool
/// (a setup tool, a one-off script): each id is taken on it in its own short transaction.
///
/// ```no_run
/// use std::sync::Mutex;
/// use cloudstack_db::db::{IdSource, SequenceName};
/// use diesel::Connection;
/// # fn demo() -> cloudstack_db::Result<()> {
/// let ids = Mutex::new(diesel::MysqlConnection::establish("mysql://cloud:cloud@127.0.0.1/cloud")?);
/// let id = ids.next_id(SequenceName::Volume)?;
/// # Ok(()) }
/// ```
impl IdSource for std::sync::Mutex<MysqlConnection> {
    fn next_id(&self, name: SequenceName) -> Result<u64> {
        let mut conn = self
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        next_in_sequence(&mut conn, name)
    }
}

impl IdSource for Database {
    fn next_id(&self, name: SequenceName) -> Result<u64> {
        self.sequences().next_id(name)
    }
}

crate::db::statement::cached_statement! {
    /// `value + 1` of one sequence row (cached; Diesel's UPDATE is prepared on every call).
    BumpSequence { name: &'static str as diesel::sql_types::Text } =
        "UPDATE `sequence` SET `value` = `value` + 1 WHERE `name` = ?"
}
