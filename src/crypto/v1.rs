//! V1: jasypt's `StandardPBEStringEncryptor` with PBEWithMD5AndDES and 1000 iterations.
//! Key and IV are PBKDF1-MD5 over `password || salt` (first 8 bytes key, next 8 IV), DES-CBC
//! with PKCS#5 padding, stored as standard Base64 of `salt (8 bytes) || ciphertext`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cipher::block_padding::Pkcs7;
use cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use md5::{Digest, Md5};
use rand::RngCore;

use crate::Error;

const SALT_LEN: usize = 8;
const ITERATIONS: usize = 1000;

type DesCbcEnc = cbc::Encryptor<des::Des>;
type DesCbcDec = cbc::Decryptor<des::Des>;

fn key_and_iv(password: &str, salt: &[u8]) -> ([u8; 8], [u8; 8]) {
    let mut digest = Md5::new()
        .chain_update(password.as_bytes())
        .chain_update(salt)
        .finalize();
    for _ in 1..ITERATIONS {
        digest = Md5::digest(digest);
    }
    let mut key = [0u8; 8];
    let mut iv = [0u8; 8];
    key.copy_from_slice(&digest[..8]);
    iv.copy_from_slice(&digest[8..16]);
    (key, iv)
}

pub(super) fn encrypt(password: &str, plaintext: &str) -> Result<String, Error> {
    let mut salt = [0u8; SALT_LEN];
    rand::rng().fill_bytes(&mut salt);
    encrypt_with_salt(password, plaintext, &salt)
}

pub(super) fn encrypt_with_salt(
    password: &str,
    plaintext: &str,
    salt: &[u8; SALT_LEN],
) -> Result<String, Error> {
    if !password.is_ascii() {
        // Java's PBEWithMD5AndDES key spec accepts ASCII passwords only.
        return Err(Error::Config("the V1 encryptor needs an ASCII key".into()));
    }
    let (key, iv) = key_and_iv(password, salt);
    let sealed = DesCbcEnc::new(&key.into(), &iv.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext.as_bytes());
    let mut out = salt.to_vec();
    out.extend_from_slice(&sealed);
    Ok(STANDARD.encode(out))
}

pub(super) fn decrypt(password: &str, stored: &str) -> Option<String> {
    let bytes = STANDARD.decode(stored.trim()).ok()?;
    if bytes.len() < SALT_LEN + 8 || (bytes.len() - SALT_LEN) % 8 != 0 {
        return None;
    }
    let (salt, sealed) = bytes.split_at(SALT_LEN);
    let (key, iv) = key_and_iv(password, salt);
    let plain = DesCbcDec::new(&key.into(), &iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(sealed)
        .ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_with_a_fixed_salt() {
        let s = super::encrypt_with_salt("k", "hello", &[1; 8]).unwrap();
        assert_eq!(super::decrypt("k", &s).as_deref(), Some("hello"));
    }
}
