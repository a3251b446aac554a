//! CloudStack PBKDF2 password hashes: vectors derived independently (Python's hashlib) verify,
//! and hashes made here have the same form and verify.

use cloudstack_db::identity::password::{
    PBKDF2_ROUNDS, hash_password, hash_with_salt, verify_password,
};

#[derive(serde::Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
}

#[derive(serde::Deserialize)]
struct Vector {
    password: String,
    stored: String,
}

fn vectors() -> Vec<Vector> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/pbkdf2-vectors.json"
    ))
    .unwrap();
    serde_json::from_str::<Vectors>(&text).unwrap().vectors
}

#[test]
fn independent_vectors_verify_and_wrong_passwords_do_not() {
    let vectors = vectors();
    assert!(vectors.len() >= 5);
    for v in &vectors {
        assert!(
            verify_password(&v.password, &v.stored).unwrap(),
            "{:?} must verify",
            v.password
        );
        let wrong = format!("{}x", v.password);
        assert!(!verify_password(&wrong, &v.stored).unwrap());
    }
}

#[test]
fn hashing_with_the_vector_salt_reproduces_the_vector_exactly() {
    use base64::Engine;
    for v in vectors() {
        let mut parts = v.stored.split(':');
        let salt = base64::engine::general_purpose::STANDARD
            .decode(parts.next().unwrap())
            .unwrap();
        let _key = parts.next();
        let rounds: u32 = parts.next().unwrap().parse().unwrap();
        assert_eq!(
            hash_with_salt(&v.password, &salt, rounds).expose(),
            v.stored
        );
    }
}

#[test]
fn new_hashes_have_cloudstacks_form() {
    use base64::Engine;
    let stored = hash_password("password");
    let parts: Vec<&str> = stored.expose().split(':').collect();
    assert_eq!(parts.len(), 3);
    let engine = base64::engine::general_purpose::STANDARD;
    assert_eq!(engine.decode(parts[0]).unwrap().len(), 64, "64-byte salt");
    assert_eq!(engine.decode(parts[1]).unwrap().len(), 64, "512-bit key");
    assert_eq!(parts[2], PBKDF2_ROUNDS.to_string());
    assert!(verify_password("password", stored.expose()).unwrap());
    assert_ne!(hash_password("password"), stored, "a fresh salt every time");
    assert_eq!(format!("{stored:?}"), "Secret(***)");
}
