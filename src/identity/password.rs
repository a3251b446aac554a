//! User passwords the way CloudStack's default authenticator (PBKDF2) stores them.
//!
//! Stored form: `base64(salt):base64(key):rounds` — a 64-byte random salt, PBKDF2 with
//! HMAC-SHA1, 100 000 rounds, a 512-bit key, standard Base64 with padding. The password's bytes
//! are the low 8 bits of each UTF-16 code unit (Java's PKCS#5 password-to-bytes), so a hash made
//! by CloudStack verifies here and the other way round.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use subtle::ConstantTimeEq;

use crate::{Error, Secret};

/// Rounds CloudStack uses for new hashes.
pub const PBKDF2_ROUNDS: u32 = 100_000;
const SALT_LEN: usize = 64;
const KEY_LEN: usize = 64;
/// Stored hashes asking for more rounds than this are refused (a cheap denial of service).
const MAX_ROUNDS: u32 = 10_000_000;

/// Hashes `password` with a fresh random salt, in CloudStack's stored form.
///
/// ```
/// use cloudstack_db::identity::password::{hash_password, verify_password};
/// let stored = hash_password("s3cret");
/// assert_eq!(stored.expose().split(':').count(), 3);
/// assert!(verify_password("s3cret", stored.expose()).unwrap());
/// ```
pub fn hash_password(password: &str) -> Secret {
    let mut salt = [0u8; SALT_LEN];
    rand::rng().fill_bytes(&mut salt);
    hash_with_salt(password, &salt, PBKDF2_ROUNDS)
}

/// Hashes with a given salt and round count (for tests and migration tools).
///
/// ```
/// let s = cloudstack_db::identity::password::hash_with_salt("x", &[1; 64], 1000);
/// assert!(s.expose().ends_with(":1000"));
/// ```
pub fn hash_with_salt(password: &str, salt: &[u8], rounds: u32) -> Secret {
    let key = derive(password, salt, rounds);
    Secret::new(format!(
        "{}:{}:{rounds}",
        STANDARD.encode(salt),
        STANDARD.encode(key)
    ))
}

/// Checks `password` against a stored PBKDF2 hash in constant time. `Ok(false)` for a wrong
/// password; an error when `stored` is not a PBKDF2 hash at all (the message never contains it).
///
/// ```
/// use cloudstack_db::identity::password::verify_password;
/// assert!(verify_password("x", "not a hash").is_err());
/// ```
pub fn verify_password(password: &str, stored: &str) -> Result<bool, Error> {
    let malformed = |why: &str| Error::InvalidValue {
        column: "user.password".into(),
        value: None,
        reason: format!("not a PBKDF2 hash ({why})"),
    };
    let mut parts = stored.split(':');
    let (Some(salt), Some(key), Some(rounds), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("expected salt:key:rounds"));
    };
    let salt = STANDARD
        .decode(salt)
        .map_err(|_| malformed("salt is not Base64"))?;
    let expected = STANDARD
        .decode(key)
        .map_err(|_| malformed("key is not Base64"))?;
    let rounds: u32 = rounds
        .parse()
        .map_err(|_| malformed("rounds is not a number"))?;
    if rounds == 0 || rounds > MAX_ROUNDS || expected.is_empty() {
        return Err(malformed("rounds or key length out of range"));
    }
    let mut actual = vec![0u8; expected.len()];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(&java_password_bytes(password), &salt, rounds, &mut actual);
    Ok(actual.ct_eq(&expected).into())
}

fn derive(password: &str, salt: &[u8], rounds: u32) -> [u8; KEY_LEN] {
    let mut key = [0u8; KEY_LEN];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(&java_password_bytes(password), salt, rounds, &mut key);
    key
}

/// Java's `PBEParametersGenerator.PKCS5PasswordToBytes`: the low byte of each UTF-16 unit.
fn java_password_bytes(password: &str) -> Vec<u8> {
    password.encode_utf16().map(|unit| unit as u8).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_bytes_take_the_low_byte_of_each_utf16_unit() {
        assert_eq!(java_password_bytes("aä"), vec![0x61, 0xE4]);
        assert_eq!(java_password_bytes("ő"), vec![0x51]);
        assert_eq!(java_password_bytes("😀"), vec![0x3D, 0x00]);
    }

    #[test]
    fn malformed_hashes_are_errors_that_do_not_repeat_the_hash() {
        for bad in [
            "",
            "a:b",
            "a:b:c:d",
            "!!:AA==:1000",
            "AA==:!!:1000",
            "AA==:AA==:x",
            "AA==:AA==:0",
        ] {
            let err = verify_password("p", bad).unwrap_err();
            assert!(matches!(err, Error::InvalidValue { .. }), "{bad}");
        }
    }
}
