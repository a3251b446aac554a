//! API keys and signed API requests, the way CloudStack's `ApiServer` checks them.
//!
//! A key pair is two URL-safe Base64 texts (86 characters) of 64 random bytes; the secret key is
//! stored encrypted with the database secret. A request is authenticated by recomputing its
//! HMAC-SHA1 signature from the sorted, URL-encoded, lower-cased parameters.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use rand::RngCore;
use subtle::ConstantTimeEq;

use super::{Account, AccountState, User};
use crate::crypto::Encryptor;
use crate::db::Tx;
use crate::schema::cloud::{account, user};
use crate::types::UserId;
use crate::{Error, Result, Secret};

/// A freshly generated key pair; the secret is shown to the user once and stored encrypted.
#[derive(Debug, Clone)]
pub struct KeyPair {
    /// The API key (public, looked up by equality).
    pub api_key: String,
    /// The secret key, in plain text.
    pub secret_key: Secret,
}

fn random_key() -> String {
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Generates and stores a new key pair for a live user (replacing any old one): the API key is
/// drawn again if it collides with another user's; the secret key is stored encrypted.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::identity::api_keys::generate_keys;
/// let encryptor = db.column_encryptor().unwrap();
/// let keys = db.write(|tx| generate_keys(tx, cloudstack_db::types::UserId(2), encryptor))?;
/// assert_eq!(keys.api_key.len(), 86);
/// # Ok(()) }
/// ```
pub fn generate_keys(tx: &mut Tx<'_>, id: UserId, encryptor: &Encryptor) -> Result<KeyPair> {
    let conn = tx.conn();
    let api_key = loop {
        let candidate = random_key();
        let taken: i64 = user::table
            .filter(user::api_key.eq(&candidate))
            .count()
            .get_result(conn)?;
        if taken == 0 {
            break candidate;
        }
    };
    let secret_key = Secret::new(random_key());
    let stored = Secret::new(encryptor.encrypt(secret_key.expose())?);
    let n = diesel::update(
        user::table
            .filter(user::id.eq(id))
            .filter(user::removed.is_null()),
    )
    .set((user::api_key.eq(&api_key), user::secret_key.eq(stored)))
    .execute(conn)?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(KeyPair {
        api_key,
        secret_key,
    })
}

/// Removes a user's key pair.
pub fn revoke_keys(tx: &mut Tx<'_>, id: UserId) -> Result<()> {
    let conn = tx.conn();
    let n = diesel::update(user::table.filter(user::id.eq(id)))
        .set((
            user::api_key.eq(None::<String>),
            user::secret_key.eq(None::<Secret>),
        ))
        .execute(conn)?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}

/// The user holding `api_key` and its account, in one query (removed rows included, so the
/// caller can tell why a key does not work).
pub fn find_by_api_key(conn: &mut MysqlConnection, api_key: &str) -> Result<(User, Account)> {
    Ok(user::table
        .inner_join(account::table)
        .filter(user::api_key.eq(api_key))
        .select((User::as_select(), Account::as_select()))
        .first(conn)?)
}

/// An authenticated API caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user whose key signed the request.
    pub user: User,
    /// Its account.
    pub account: Account,
}

/// The text CloudStack signs: parameters sorted by name (case-sensitive), `signature` dropped,
/// values form-URL-encoded in UTF-8 with `+` as `%20`, joined with `&`, all lower-cased.
///
/// ```
/// use cloudstack_db::identity::api_keys::canonical_request;
/// let params = [("command", "listZones"), ("apiKey", "K"), ("name", "a b~")];
/// assert_eq!(canonical_request(params), "apikey=k&command=listzones&name=a%20b%7e");
/// ```
pub fn canonical_request<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("signature"))
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", form_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
        .to_lowercase()
}

/// Java's `URLEncoder.encode(value, "UTF-8")` with `+` turned into `%20`.
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The signature of `params` with `secret_key`: Base64 of HMAC-SHA1 over [`canonical_request`].
///
/// ```
/// use cloudstack_db::identity::api_keys::sign_request;
/// let sig = sign_request([("command", "listZones"), ("apiKey", "K")], "secret");
/// assert_eq!(sig.len(), 28);
/// ```
pub fn sign_request<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    secret_key: &str,
) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret_key.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(canonical_request(params).as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Parses `expires` the ways CloudStack accepts (`2025-01-31T12:00:00+0100`, `...+01:00`, `...Z`).
fn parse_expires(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z"))
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Authenticates a signed API request (all its parameters, `apiKey` and `signature` included)
/// in one function: the user is found by its API key with its account in one query; both must
/// be enabled and live; API key access must be allowed ([`api_key_access_allowed`]); with
/// `signatureVersion=3` an `expires` not in the past is required; the signature is recomputed
/// with the decrypted secret key and compared in constant time.
pub fn authenticate_request(
    conn: &mut MysqlConnection,
    encryptor: &Encryptor,
    params: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<Caller> {
    let refused = |reason| Error::AuthenticationFailed { reason };
    let api_key = param(params, "apiKey").ok_or(refused("no apiKey parameter"))?;
    let signature = param(params, "signature").ok_or(refused("no signature parameter"))?;
    if param(params, "signatureVersion") == Some("3") {
        let expires =
            param(params, "expires").ok_or(refused("signatureVersion 3 needs expires"))?;
        let expires = parse_expires(expires).ok_or(refused("expires is not a date"))?;
        if expires < now {
            return Err(refused("the request has expired"));
        }
    }
    let (found, owner) = match find_by_api_key(conn, api_key) {
        Ok(pair) => pair,
        Err(Error::NotFound) => return Err(refused("unknown API key")),
        Err(other) => return Err(other),
    };
    if found.removed.is_some() || found.state != AccountState::Enabled {
        return Err(refused("user is removed, disabled or locked"));
    }
    if owner.removed.is_some() || owner.state != AccountState::Enabled {
        return Err(refused("account is removed, disabled or locked"));
    }
    if !api_key_access_allowed(conn, &found, &owner)? {
        return Err(refused(
            "API key access is disabled for this user, account or domain",
        ));
    }
    let stored = found
        .secret_key
        .as_ref()
        .ok_or(refused("user has no secret key"))?;
    let secret = encryptor
        .decrypt(stored.expose())
        .map_err(|_| refused("the secret key cannot be decrypted with the database secret"))?;
    let expected = sign_request(
        params.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        secret.expose(),
    );
    if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
        return Err(refused("signature does not match"));
    }
    Ok(Caller {
        user: found,
        account: owner,
    })
}

/// Whether `user` of `account` may use API keys, as CloudStack decides it
/// (`ApiServer.verifyApiKeyAccessAllowed`): the user's `api_key_access` when set, else the
/// account's, else the domain setting `api.key.access` — the account's domain's
/// `domain_details` row, its ancestors' when `enable.domain.settings.for.child.domain` is
/// `true`, then the global `configuration` value, then `true`.
pub fn api_key_access_allowed(
    conn: &mut MysqlConnection,
    user: &User,
    account: &Account,
) -> Result<bool> {
    if let Some(decided) = user.api_key_access.or(account.api_key_access) {
        return Ok(decided);
    }
    Ok(
        crate::repo::settings::for_domain(conn, account.domain_id, API_KEY_ACCESS)?
            .is_none_or(|v| v.eq_ignore_ascii_case("true")),
    )
}

/// The domain-scoped setting that allows API keys.
const API_KEY_ACCESS: &str = "api.key.access";
