//! Sorting MySQL / MariaDB error messages into [`Error`] variants.
//!
//! Diesel exposes the server's error number for only a few errors (duplicate key, foreign key,
//! deadlock, read-only transaction); everything else arrives as "unknown" with just the message.
//! Every pooled connection sets `lc_messages = 'en_US'`, and client-side messages (2006, 2013)
//! are always English, so matching on the message text is reliable. Each rule names the error
//! numbers it stands for.

use super::{Error, RetryReason};

/// Classifies a server or client error message into the crate's [`Error`].
///
/// ```
/// use cloudstack_db::{classify_server_message, Error, RetryReason};
///
/// let e = classify_server_message("Lock wait timeout exceeded; try restarting transaction");
/// assert!(matches!(e, Error::Retryable { reason: RetryReason::LockWaitTimeout, .. }));
/// let e = classify_server_message("Duplicate entry 'a' for key 'vm_instance.uc_vm_instance_uuid'");
/// assert!(matches!(e, Error::Duplicate { key } if key == "uc_vm_instance_uuid"));
/// ```
pub fn classify_server_message(message: &str) -> Error {
    let owned = || message.to_owned();
    if let Some(reason) = retry_reason(message) {
        return Error::Retryable {
            reason,
            message: owned(),
        };
    }
    if is_connection_lost(message) {
        return Error::ConnectionLost { message: owned() };
    }
    if is_read_only(message) {
        return Error::ReadOnly { message: owned() };
    }
    if message.starts_with("Duplicate entry") {
        return Error::Duplicate {
            key: duplicate_key_name(message),
        };
    }
    if message.contains("a foreign key constraint fails") {
        return Error::ForeignKey {
            constraint: foreign_key_name(message),
        };
    }
    if let Some(invalid) = invalid_value(message) {
        return invalid;
    }
    Error::Database(owned())
}

/// Which retryable condition a deadlock-class (1213) message reports.
pub(crate) fn retry_reason_of_1213(message: &str) -> RetryReason {
    retry_reason(message).unwrap_or(RetryReason::Deadlock)
}

fn retry_reason(message: &str) -> Option<RetryReason> {
    // 1213 ER_LOCK_DEADLOCK
    if message.starts_with("Deadlock found when trying to get lock") {
        return Some(RetryReason::Deadlock);
    }
    // 1205 ER_LOCK_WAIT_TIMEOUT
    if message.starts_with("Lock wait timeout exceeded") {
        return Some(RetryReason::LockWaitTimeout);
    }
    // 1020 ER_CHECKREAD (MariaDB innodb_snapshot_isolation)
    if message.starts_with("Record has changed since last read") {
        return Some(RetryReason::RecordChanged);
    }
    // Galera brute-force abort / certification failure (reported as 1213 or 1180 by wsrep)
    if message.starts_with("WSREP detected deadlock/conflict") {
        return Some(RetryReason::GaleraConflict);
    }
    // 1305 for a savepoint Diesel itself created: the server rolled back the whole transaction
    // (a deadlock or a Galera abort noticed by the savepoint statement)
    if message.starts_with("SAVEPOINT diesel_savepoint_") && message.ends_with("does not exist") {
        return Some(RetryReason::Deadlock);
    }
    // 1047 ER_UNKNOWN_COM_ERROR as used by wsrep while the node is not synced
    if message.starts_with("WSREP has not yet prepared node for application use") {
        return Some(RetryReason::NodeNotReady);
    }
    None
}

fn is_connection_lost(message: &str) -> bool {
    const LOST: &[&str] = &[
        "MySQL server has gone away",                // 2006 (libmysqlclient)
        "Server has gone away",                      // 2006 (libmariadb)
        "Lost connection to",                        // 2013, 2055
        "Connection was killed",                     // 1927 (MariaDB ER_CONNECTION_KILLED)
        "The client was disconnected by the server", // 4031 (MySQL 8.0.24+)
        "Server shutdown in progress",               // 1053
        "Can't connect to",                          // 2002, 2003 while reconnecting
    ];
    LOST.iter().any(|prefix| message.starts_with(prefix))
}

fn is_read_only(message: &str) -> bool {
    // 1290 ER_OPTION_PREVENTS_STATEMENT with --read-only or --super-read-only; 1792 READ ONLY txn
    let option_prevents = message.starts_with("The MySQL server is running with the")
        || message.starts_with("The MariaDB server is running with the");
    (option_prevents && message.contains("read-only option"))
        || message.starts_with("Cannot execute statement in a READ ONLY transaction")
}

/// `Duplicate entry 'v' for key 'k'` (MariaDB) or `... for key 'table.k'` (MySQL 8).
fn duplicate_key_name(message: &str) -> String {
    let Some(start) = message.rfind(" for key '") else {
        return "unknown".into();
    };
    let rest = &message[start + " for key '".len()..];
    let name = rest.strip_suffix('\'').unwrap_or(rest);
    name.rsplit('.').next().unwrap_or(name).to_owned()
}

/// `... a foreign key constraint fails (`db`.`t`, CONSTRAINT `fk_name` FOREIGN KEY ...)`.
fn foreign_key_name(message: &str) -> String {
    message
        .split_once("CONSTRAINT `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| name.to_owned())
        .unwrap_or_else(|| "unknown".into())
}

fn invalid_value(message: &str) -> Option<Error> {
    // (message prefix, reason, how the column is introduced)
    const RULES: &[(&str, &str, &str)] = &[
        (
            "Data too long for column",
            "too long for the column",
            "column ",
        ), // 1406
        (
            "Out of range value for column",
            "out of range for the column",
            "column ",
        ), // 1264
        (
            "Data truncated for column",
            "truncated to fit the column",
            "column ",
        ), // 1265
        ("Incorrect ", "not accepted by the column", "for column "), // 1366, 1292, 1411
        ("Column '", "cannot be NULL", "Column "),                   // 1048
        ("Field '", "is required (no default value)", "Field "),     // 1364
    ];
    for (prefix, reason, intro) in RULES {
        if !message.starts_with(prefix) {
            continue;
        }
        if *prefix == "Column '" && !message.ends_with("cannot be null") {
            continue;
        }
        if *prefix == "Field '" && !message.contains("doesn't have a default value") {
            continue;
        }
        let column = column_after(message, intro)?;
        return Some(Error::InvalidValue {
            column,
            value: None,
            reason: (*reason).to_owned(),
        });
    }
    None
}

/// The column name after `intro`: `'name'`, or `` `db`.`table`.`name` `` (MariaDB's 1366).
fn column_after(message: &str, intro: &str) -> Option<String> {
    let (_, rest) = message.split_once(intro)?;
    let quoted: String = if let Some(rest) = rest.strip_prefix('\'') {
        rest.split('\'').next()?.to_owned()
    } else {
        rest.split(' ').next()?.to_owned()
    };
    let last = quoted.rsplit('.').next()?.trim_matches('`').to_owned();
    (!last.is_empty()).then_some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_both_servers_are_classified() {
        let cases: &[(&str, &str)] = &[
            (
                "Deadlock found when trying to get lock; try restarting transaction",
                "Retryable(Deadlock)",
            ),
            (
                "Lock wait timeout exceeded; try restarting transaction",
                "Retryable(LockWaitTimeout)",
            ),
            (
                "Record has changed since last read in table 't'",
                "Retryable(RecordChanged)",
            ),
            (
                "WSREP detected deadlock/conflict and aborted the transaction. Try restarting the transaction",
                "Retryable(GaleraConflict)",
            ),
            (
                "WSREP has not yet prepared node for application use",
                "Retryable(NodeNotReady)",
            ),
            (
                "SAVEPOINT diesel_savepoint_1 does not exist",
                "Retryable(Deadlock)",
            ),
            ("SAVEPOINT mine does not exist", "Database"),
            ("MySQL server has gone away", "ConnectionLost"),
            ("Server has gone away", "ConnectionLost"),
            (
                "Lost connection to MySQL server during query",
                "ConnectionLost",
            ),
            ("Lost connection to server during query", "ConnectionLost"),
            ("Connection was killed", "ConnectionLost"),
            (
                "The client was disconnected by the server because of inactivity. See wait_timeout and interactive_timeout for configuring this behavior.",
                "ConnectionLost",
            ),
            (
                "The MariaDB server is running with the --read-only option so it cannot execute this statement",
                "ReadOnly",
            ),
            (
                "The MySQL server is running with the --super-read-only option so it cannot execute this statement",
                "ReadOnly",
            ),
            (
                "Cannot execute statement in a READ ONLY transaction",
                "ReadOnly",
            ),
            ("Duplicate entry 'x' for key 'uuid'", "Duplicate(uuid)"),
            (
                "Duplicate entry 'it'' for key ''s' for key 'vm_instance.uc_vm_instance_uuid'",
                "Duplicate(uc_vm_instance_uuid)",
            ),
            (
                "Cannot add or update a child row: a foreign key constraint fails (`db`.`user_vm`, CONSTRAINT `fk_user_vm__id` FOREIGN KEY (`id`) REFERENCES `vm_instance` (`id`) ON DELETE CASCADE)",
                "ForeignKey(fk_user_vm__id)",
            ),
            (
                "Cannot delete or update a parent row: a foreign key constraint fails",
                "ForeignKey(unknown)",
            ),
            (
                "Data too long for column 'name' at row 1",
                "InvalidValue(name)",
            ),
            (
                "Out of range value for column 'size' at row 1",
                "InvalidValue(size)",
            ),
            (
                "Incorrect integer value: 'abc' for column `db`.`t`.`size` at row 1",
                "InvalidValue(size)",
            ),
            (
                "Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column 'name' at row 1",
                "InvalidValue(name)",
            ),
            ("Column 'name' cannot be null", "InvalidValue(name)"),
            (
                "Field 'guest_os_id' doesn't have a default value",
                "InvalidValue(guest_os_id)",
            ),
            ("Table 'x.y' doesn't exist", "Database"),
        ];
        for (message, expected) in cases {
            let got = match classify_server_message(message) {
                Error::Retryable { reason, .. } => format!("Retryable({reason:?})"),
                Error::ConnectionLost { .. } => "ConnectionLost".into(),
                Error::ReadOnly { .. } => "ReadOnly".into(),
                Error::Duplicate { key } => format!("Duplicate({key})"),
                Error::ForeignKey { constraint } => format!("ForeignKey({constraint})"),
                Error::InvalidValue { column, .. } => format!("InvalidValue({column})"),
                Error::Database(_) => "Database".into(),
                other => format!("{other:?}"),
            };
            assert_eq!(&got, expected, "message: {message}");
        }
    }
}
