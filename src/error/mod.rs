//! The crate's one error type and how MySQL / MariaDB errors are sorted into it.

mod classify;
mod null_column;

use std::time::Duration;

pub use classify::classify_server_message;
pub use null_column::name_unexpected_null;

/// Why a transaction may be retried as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryReason {
    /// Error 1213: InnoDB chose this transaction as a deadlock victim and rolled it back.
    /// Galera reports a lost certification the same way.
    Deadlock,
    /// Error 1205: `innodb_lock_wait_timeout` ran out while waiting for a row lock.
    LockWaitTimeout,
    /// Error 1020 (MariaDB): the row changed since this transaction's snapshot read it.
    RecordChanged,
    /// Galera aborted the transaction in a conflict with a write set from another node.
    GaleraConflict,
    /// Error 1047 (Galera): the node is not ready for application use (not synced / not primary).
    NodeNotReady,
}

/// The crate's error type: every public function returns it.
///
/// The variants name what went wrong in the terms a caller acts on; MySQL error numbers that
/// Diesel leaves as "unknown" are classified from the server's message (the pool sets
/// `lc_messages=en_US` on each connection so those messages are stable).
///
/// ```
/// use cloudstack_db::Error;
///
/// let err = Error::Duplicate { key: "uc_vm_instance_uuid".into() };
/// assert_eq!(err.to_string(), "duplicate value for unique key `uc_vm_instance_uuid`");
/// assert!(!err.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The row asked for does not exist (or is soft-deleted, for finders that hide removed rows).
    #[error("not found")]
    NotFound,

    /// An INSERT or UPDATE collided with a unique key (error 1062); `key` is the index name.
    #[error("duplicate value for unique key `{key}`")]
    Duplicate {
        /// The unique index that was violated, without the table prefix MySQL 8 adds.
        key: String,
    },

    /// A foreign key constraint refused the write (errors 1216, 1217, 1451, 1452).
    #[error("foreign key constraint `{constraint}` failed")]
    ForeignKey {
        /// The constraint name, or `unknown` when the server did not say.
        constraint: String,
    },

    /// An optimistic state change lost its race: the row's version or state was no longer the
    /// one the caller read.
    #[error("{entity} {id} changed concurrently: {detail}")]
    StaleState {
        /// The kind of row, e.g. `vm_instance`.
        entity: &'static str,
        /// The row id.
        id: u64,
        /// What did not match.
        detail: String,
    },

    /// A state machine has no transition for this event in this state; nothing was written.
    #[error("{entity} cannot go from {from} on {event}")]
    IllegalTransition {
        /// The kind of row, e.g. `vm_instance`.
        entity: &'static str,
        /// The current state.
        from: String,
        /// The event that has no transition from it.
        event: String,
    },

    /// The change conflicts with the data as it is: a domain that is not empty, an overlapping
    /// IP range, a range with allocated addresses. Nothing was written.
    #[error("refused: {0}")]
    Conflict(String),

    /// A pool of resources ran out, e.g. no free public IP address is left in a zone.
    #[error("no free {resource} left: {detail}")]
    Exhausted {
        /// What ran out (`public IP address`, ...).
        resource: &'static str,
        /// Where.
        detail: String,
    },

    /// A resource limit would be exceeded (CloudStack's `ResourceAllocationException`): the
    /// account's, or a domain's above it; nothing was counted or created.
    #[error("{owner} may have at most {limit} {resource}: it has {count}, {wanted} more asked for")]
    LimitExceeded {
        /// The resource type as CloudStack names it (`user_vm`, `cpu`, `memory`, `volume`, ...).
        resource: &'static str,
        /// Whose limit (`account 7`, `domain 3`).
        owner: String,
        /// The limit.
        limit: i64,
        /// What is counted now.
        count: i64,
        /// How much more was asked for.
        wanted: i64,
    },

    /// A caller could not be authenticated (wrong or revoked key, bad signature, expired request,
    /// disabled or locked user or account). The reason never contains a key or a password.
    #[error("authentication failed: {reason}")]
    AuthenticationFailed {
        /// Why, in words safe to log.
        reason: &'static str,
    },

    /// The server aborted the transaction for a reason that goes away when the whole
    /// transaction is run again (deadlock, lock wait timeout, Galera conflict, ...).
    #[error("transaction aborted ({reason:?}), it may be retried as a whole: {message}")]
    Retryable {
        /// Which retryable condition it was.
        reason: RetryReason,
        /// The server's message.
        message: String,
    },

    /// The connection to the server broke (errors 2006, 2013, 1927, 4031, 1053) before a
    /// transaction's COMMIT was sent, so the server rolled the transaction back (a lost COMMIT
    /// is [`Error::CommitUnknown`]). A lone autocommit statement may have taken effect.
    #[error("connection to the database server lost: {message}")]
    ConnectionLost {
        /// The client's or server's message.
        message: String,
    },

    /// The connection broke while COMMIT was on its way: the transaction may or may not have
    /// taken effect, so it is never retried; the caller must find out (e.g. by reading back a
    /// unique key it wrote).
    #[error(
        "connection to the database server lost during COMMIT; the transaction may or may not have committed: {message}"
    )]
    CommitUnknown {
        /// The client's or server's message.
        message: String,
    },

    /// An async call's future was dropped before its work began (see `AsyncDatabase`): nothing
    /// was sent to the database.
    #[error("cancelled before it started: nothing was done")]
    Cancelled,

    /// The server or transaction is read-only (errors 1290 and 1792).
    #[error("the server refused a write because it is read-only: {message}")]
    ReadOnly {
        /// The server's message.
        message: String,
    },

    /// No pooled connection became free within the pool's configured wait.
    #[error("no database connection available within {waited:?}")]
    PoolTimeout {
        /// The pool's configured connection timeout.
        waited: Duration,
    },

    /// A value could not be stored or read: too long for its column, out of range, an unknown
    /// enum string in a row, NULL where a value is required.
    #[error("invalid value for `{column}`: {reason}{}", value_suffix(.value))]
    InvalidValue {
        /// The column (or field) the value belongs to.
        column: String,
        /// The offending value, when it is known and not secret.
        value: Option<String>,
        /// Why it is invalid.
        reason: String,
    },

    /// The configuration is unusable: a bad URL, a missing db.properties key, a bad number.
    #[error("configuration error: {0}")]
    Config(String),

    /// A new connection could not be established (wrong host, refused, access denied).
    #[error("cannot connect to the database server: {0}")]
    Connect(String),

    /// TLS was required and the connection could not be encrypted (or verified) as asked: the
    /// server offers no TLS, its certificate is not signed by the configured CA or does not
    /// name the host, or the client library cannot enforce it. Nothing was sent in plaintext.
    #[error("TLS required but not established: {0}")]
    Tls(String),

    /// Applying or reverting migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),

    /// Any other error the server reported, with its message.
    #[error("database error: {0}")]
    Database(String),

    /// A Diesel error that is not a server error (serialization, a broken transaction manager, ...).
    #[error("diesel error: {0}")]
    Diesel(diesel::result::Error),
}

fn value_suffix(value: &Option<String>) -> String {
    match value {
        Some(v) => format!(" (value `{v}`)"),
        None => String::new(),
    }
}

/// Shorthand for `Result<T, cloudstack_db::Error>`.
///
/// ```
/// fn find() -> cloudstack_db::Result<u64> { Err(cloudstack_db::Error::NotFound) }
/// assert!(find().is_err());
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether running the *whole* transaction again may succeed (see [`RetryReason`]).
    ///
    /// ```
    /// use cloudstack_db::{Error, RetryReason};
    /// let e = Error::Retryable { reason: RetryReason::Deadlock, message: String::new() };
    /// assert!(e.is_retryable());
    /// assert!(!Error::NotFound.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Retryable { .. })
    }

    /// Whether the connection this error came from is dead and must not go back to the pool.
    ///
    /// ```
    /// use cloudstack_db::Error;
    /// assert!(Error::ConnectionLost { message: "gone".into() }.is_connection_lost());
    /// assert!(Error::CommitUnknown { message: "gone".into() }.is_connection_lost());
    /// ```
    pub fn is_connection_lost(&self) -> bool {
        matches!(
            self,
            Error::ConnectionLost { .. } | Error::CommitUnknown { .. }
        )
    }

    /// Whether the *server* refused a write because it is read-only (error 1290: a replica, or a
    /// demoted primary) — not a transaction the caller started READ ONLY (1792).
    ///
    /// ```
    /// use cloudstack_db::Error;
    /// let replica = Error::ReadOnly { message: "The MariaDB server is running with the --read-only option so it cannot execute this statement".into() };
    /// assert!(replica.is_read_only_server());
    /// let txn = Error::ReadOnly { message: "Cannot execute statement in a READ ONLY transaction".into() };
    /// assert!(!txn.is_read_only_server());
    /// ```
    pub fn is_read_only_server(&self) -> bool {
        matches!(self, Error::ReadOnly { message } if message.contains("read-only option"))
    }

    /// Whether the work certainly did not take effect and may run again on a new connection:
    /// retryable aborts, a connection lost before COMMIT, and a connection that could not be
    /// opened. Never [`Error::CommitUnknown`].
    ///
    /// ```
    /// use cloudstack_db::Error;
    /// assert!(Error::ConnectionLost { message: "gone".into() }.certainly_not_committed());
    /// assert!(!Error::CommitUnknown { message: "gone".into() }.certainly_not_committed());
    /// ```
    pub fn certainly_not_committed(&self) -> bool {
        matches!(
            self,
            Error::Retryable { .. } | Error::ConnectionLost { .. } | Error::Connect(_)
        )
    }

    /// An [`Error::InvalidValue`] for a value read from or meant for `column`.
    ///
    /// ```
    /// let e = cloudstack_db::Error::invalid_value("vm_instance.state", "Flying", "unknown enum value");
    /// assert_eq!(e.to_string(), "invalid value for `vm_instance.state`: unknown enum value (value `Flying`)");
    /// ```
    pub fn invalid_value(
        column: impl Into<String>,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidValue {
            column: column.into(),
            value: Some(value.into()),
            reason: reason.into(),
        }
    }
}

impl From<diesel::result::Error> for Error {
    fn from(err: diesel::result::Error) -> Self {
        let converted = from_diesel(err);
        tracing::trace!(error = %converted, "database error");
        converted
    }
}

fn from_diesel(err: diesel::result::Error) -> Error {
    {
        use diesel::result::{DatabaseErrorKind as Kind, Error as D};
        match err {
            D::NotFound => Error::NotFound,
            D::DatabaseError(kind, info) => {
                let message = info.message().to_owned();
                match kind {
                    Kind::SerializationFailure => Error::Retryable {
                        reason: classify::retry_reason_of_1213(&message),
                        message,
                    },
                    Kind::ReadOnlyTransaction => Error::ReadOnly { message },
                    Kind::ClosedConnection => Error::ConnectionLost { message },
                    _ => classify_server_message(&message),
                }
            }
            D::DeserializationError(err) => deserialization_error(err),
            // COMMIT failed and so did the ROLLBACK after it: the COMMIT's error is the cause.
            D::RollbackErrorOnCommit { commit_error, .. } => from_diesel(*commit_error),
            D::BrokenTransactionManager => Error::ConnectionLost {
                message: "the connection's transaction state is broken".into(),
            },
            other => Error::Diesel(other),
        }
    }
}

/// The column of an [`Error::InvalidValue`] for a NULL Diesel could not attribute to a column
/// (it never names the field of an unexpected NULL); the pool's `PooledConnection::run`
/// replaces it with the drifted column(s) (see [`name_unexpected_null`]).
pub(crate) const UNNAMED_NULL_COLUMN: &str = "unknown column";

/// Turns Diesel's deserialization errors into [`Error::InvalidValue`] where the cause is a value
/// the crate cannot represent (an unknown enum value, a NULL in a non-optional field).
fn deserialization_error(err: Box<dyn std::error::Error + Send + Sync>) -> Error {
    let (field, err) = match err.downcast::<diesel::result::DeserializeFieldError>() {
        Ok(field_error) => (field_error.field_name.clone(), field_error.error),
        Err(err) => (None, err),
    };
    let field = field.filter(|f| f != "?");
    match err.downcast::<crate::types::UnknownEnumValue>() {
        Ok(unknown) => Error::InvalidValue {
            column: unknown.column.to_owned(),
            value: Some(unknown.value),
            reason: "unknown value".to_owned(),
        },
        Err(other) if other.is::<diesel::result::UnexpectedNullError>() => Error::InvalidValue {
            column: field.unwrap_or_else(|| UNNAMED_NULL_COLUMN.to_owned()),
            value: None,
            reason: "NULL where a value is required".to_owned(),
        },
        Err(other) => Error::Diesel(diesel::result::Error::DeserializationError(other)),
    }
}

impl From<diesel::ConnectionError> for Error {
    fn from(err: diesel::ConnectionError) -> Self {
        let converted = match err {
            diesel::ConnectionError::InvalidConnectionUrl(m) => {
                Error::Config(format!("invalid database URL: {m}"))
            }
            diesel::ConnectionError::CouldntSetupConfiguration(e) => Error::from(e),
            other => Error::Connect(other.to_string()),
        };
        tracing::trace!(error = %converted, "connection error");
        converted
    }
}

impl From<diesel_migrations::MigrationError> for Error {
    fn from(err: diesel_migrations::MigrationError) -> Self {
        Error::Migration(err.to_string())
    }
}
