//! V2: AES-256-GCM, key = SHA-256(secret), random 12-byte IV, no associated data,
//! stored as standard Base64 of `IV || ciphertext || tag`.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use sha2::{Digest, Sha256};

const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;

fn cipher(secret: &str) -> Aes256Gcm {
    let key = Sha256::digest(secret.as_bytes());
    Aes256Gcm::new(&key)
}

pub(super) fn encrypt(secret: &str, plaintext: &str) -> String {
    let mut iv = [0u8; IV_LEN];
    rand::rng().fill_bytes(&mut iv);
    encrypt_with_iv(secret, plaintext, &iv)
}

pub(super) fn encrypt_with_iv(secret: &str, plaintext: &str, iv: &[u8; IV_LEN]) -> String {
    let sealed = cipher(secret)
        .encrypt(Nonce::from_slice(iv), plaintext.as_bytes())
        .expect("AES-GCM encryption of an in-memory value cannot fail");
    let mut out = Vec::with_capacity(IV_LEN + sealed.len());
    out.extend_from_slice(iv);
    out.extend_from_slice(&sealed);
    STANDARD.encode(out)
}

pub(super) fn decrypt(secret: &str, stored: &str) -> Option<String> {
    let bytes = STANDARD.decode(stored.trim()).ok()?;
    if bytes.len() < IV_LEN + TAG_LEN {
        return None;
    }
    let (iv, sealed) = bytes.split_at(IV_LEN);
    let plain = cipher(secret).decrypt(Nonce::from_slice(iv), sealed).ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixed_iv_is_deterministic_and_round_trips() {
        let iv = [7u8; 12];
        let a = super::encrypt_with_iv("k", "hello", &iv);
        assert_eq!(a, super::encrypt_with_iv("k", "hello", &iv));
        assert_eq!(super::decrypt("k", &a).as_deref(), Some("hello"));
        assert_eq!(super::decrypt("other", &a), None);
    }
}
