//! `raw_usage` and `usage_display` against vectors the JDK derived
//! (`scripts/vectors/UsageHours.java`: CloudStack's single-precision hours and
//! `DecimalFormat("#.######")`), so the crate's records read exactly like the Java server's.

use cloudstack_db::usage::{hours_display, raw_usage_hours};

#[derive(serde::Deserialize)]
struct Vector {
    millis: u64,
    raw_usage: String,
    display: String,
}

#[test]
fn hours_and_their_display_match_the_jdk() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/usage-hours-vectors.json"
    );
    let vectors: Vec<Vector> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(vectors.len() > 30);
    for v in vectors {
        let want: f64 = v.raw_usage.parse().unwrap();
        let raw = raw_usage_hours(v.millis);
        assert_eq!(raw.to_bits(), want.to_bits(), "{} ms", v.millis);
        assert_eq!(hours_display(raw), v.display, "{} ms", v.millis);
    }
}
