//! CloudStack's encryptors: V2 (AES-256-GCM) and V1 (jasypt PBEWithMD5AndDES).
//!
//! The same encryptor protects `ENC(...)` values in db.properties (with the management server
//! key) and encrypted columns — `user.secret_key`, `vm_instance.vnc_password` — (with the
//! database secret).

mod v1;
mod v2;

use crate::{Error, Secret};

/// Which encryptor (`db.cloud.encryptor.version`, `-g`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncryptorVersion {
    /// jasypt `StandardPBEStringEncryptor` (PBEWithMD5AndDES, 1000 iterations); legacy.
    V1,
    /// AES-256-GCM with the key SHA-256(secret); CloudStack's default since 4.18.
    V2,
}

impl EncryptorVersion {
    /// Parses `V1` / `V2` (case-insensitive).
    ///
    /// ```
    /// use cloudstack_db::crypto::EncryptorVersion;
    /// assert_eq!(EncryptorVersion::parse("v2"), Some(EncryptorVersion::V2));
    /// assert_eq!(EncryptorVersion::parse("V3"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "V1" => Some(Self::V1),
            "V2" => Some(Self::V2),
            _ => None,
        }
    }

    /// `V1` or `V2`, as written to db.properties.
    ///
    /// ```
    /// assert_eq!(cloudstack_db::crypto::EncryptorVersion::V2.as_str(), "V2");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1 => "V1",
            Self::V2 => "V2",
        }
    }
}

/// Encrypts and decrypts values with one secret, the way CloudStack does.
///
/// With no version configured (`None`), decryption tries V2 and then V1, and encryption uses V2.
/// Empty strings are stored as they are. The secret never shows in `Debug`.
///
/// ```
/// use cloudstack_db::crypto::{Encryptor, EncryptorVersion};
/// let e = Encryptor::new("database-secret", Some(EncryptorVersion::V2));
/// let stored = e.encrypt("vnc-password").unwrap();
/// assert_ne!(stored, "vnc-password");
/// assert_eq!(e.decrypt(&stored).unwrap().expose(), "vnc-password");
/// ```
#[derive(Debug, Clone)]
pub struct Encryptor {
    secret: Secret,
    version: Option<EncryptorVersion>,
}

impl Encryptor {
    /// An encryptor for `secret`; `version` as configured (`None`: V2, reading V1 too).
    pub fn new(secret: impl Into<Secret>, version: Option<EncryptorVersion>) -> Self {
        Self {
            secret: secret.into(),
            version,
        }
    }

    /// Encrypts `plaintext` to CloudStack's Base64 text.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, Error> {
        if plaintext.is_empty() {
            return Ok(String::new());
        }
        match self.version.unwrap_or(EncryptorVersion::V2) {
            EncryptorVersion::V2 => Ok(v2::encrypt(self.secret.expose(), plaintext)),
            EncryptorVersion::V1 => v1::encrypt(self.secret.expose(), plaintext),
        }
    }

    /// Decrypts CloudStack's Base64 text. A wrong secret or a tampered value is an error whose
    /// message contains neither the secret nor the value.
    pub fn decrypt(&self, stored: &str) -> Result<Secret, Error> {
        if stored.is_empty() {
            return Ok(Secret::default());
        }
        let plain = match self.version {
            Some(EncryptorVersion::V2) => v2::decrypt(self.secret.expose(), stored),
            Some(EncryptorVersion::V1) => v1::decrypt(self.secret.expose(), stored),
            None => v2::decrypt(self.secret.expose(), stored)
                .or_else(|| v1::decrypt(self.secret.expose(), stored)),
        };
        plain.map(Secret::new).ok_or_else(|| {
            Error::Config(
                "cannot decrypt a value: wrong key, wrong encryptor version, or a damaged value"
                    .into(),
            )
        })
    }
}

/// Wraps an encrypted value as db.properties writes it: `ENC(...)`.
///
/// ```
/// assert_eq!(cloudstack_db::crypto::enc_value("abc"), "ENC(abc)");
/// ```
pub fn enc_value(ciphertext: &str) -> String {
    format!("ENC({ciphertext})")
}

/// The ciphertext inside `ENC(...)`, or `None` for a plain value.
///
/// ```
/// use cloudstack_db::crypto::unwrap_enc;
/// assert_eq!(unwrap_enc(" ENC(abc) "), Some("abc"));
/// assert_eq!(unwrap_enc("cloud"), None);
/// ```
pub fn unwrap_enc(value: &str) -> Option<&str> {
    value.trim().strip_prefix("ENC(")?.strip_suffix(')')
}
