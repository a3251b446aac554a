//! Sizes in usage descriptions against vectors the JDK derived
//! (`scripts/vectors/ReadableSize.java`: `java.util.Formatter` "%.2f"/"%.4f" of a float
//! quotient, as CloudStack's `NumbersUtil#toHumanReadableSize` prints them).

use cloudstack_db::usage::readable_size;

#[derive(serde::Deserialize)]
struct Vector {
    bytes: u64,
    shown: String,
}

#[test]
fn sizes_read_like_the_jdk_prints_them() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/readable-size-vectors.json"
    );
    let vectors: Vec<Vector> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(vectors.len() > 500);
    let wrong: Vec<String> = vectors
        .iter()
        .filter(|v| readable_size(v.bytes) != v.shown)
        .map(|v| format!("{}: {} != {}", v.bytes, readable_size(v.bytes), v.shown))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}
