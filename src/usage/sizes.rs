//! Byte counts as CloudStack's usage descriptions show them (`NumbersUtil#toHumanReadableSize`,
//! on in the usage server): `"(2.00 GB) 2147483648"`.

const KB: u64 = 1024;
const MB: u64 = KB * 1024;
const GB: u64 = MB * 1024;
const TB: u64 = GB * 1024;

/// `bytes` the way a usage record's description shows a size: the size in its largest unit
/// (bytes below 1 KiB; else KB, MB or GB with two decimals, TB with four — the quotient
/// computed in single precision and rounded half up, as `java.util.Formatter` does), then the
/// exact count (checked against the JDK in `tests/data/readable-size-vectors.json`).
///
/// ```
/// use cloudstack_db::usage::readable_size;
/// assert_eq!(readable_size(2_147_483_648), "(2.00 GB) 2147483648");
/// assert_eq!(readable_size(512), "(512 bytes) 512");
/// assert_eq!(readable_size(13_107), "(12.80 KB) 13107");
/// ```
pub fn readable_size(bytes: u64) -> String {
    let unit = if bytes < KB {
        format!("{bytes} bytes")
    } else if bytes < MB {
        format!("{} KB", java_fixed(bytes as f32 / KB as f32, 2))
    } else if bytes < GB {
        format!("{} MB", java_fixed(bytes as f32 / MB as f32, 2))
    } else if bytes < TB {
        format!("{} GB", java_fixed(bytes as f32 / GB as f32, 2))
    } else {
        format!("{} TB", java_fixed(bytes as f32 / TB as f32, 4))
    };
    format!("({unit}) {bytes}")
}

/// `String.format("%.{decimals}f", value)` of a non-negative float: Java widens it to a double,
/// takes that double's shortest decimal digits and rounds them half up.
fn java_fixed(value: f32, decimals: usize) -> String {
    let scientific = format!("{:e}", f64::from(value));
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` always has an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` exponent is a number");
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    // value = 0.d1 d2 d3 ... × 10^(exponent + 1): `point` digits stand before the point.
    let point = exponent + 1;
    let mut whole: Vec<u8> = Vec::new();
    let mut fraction: Vec<u8> = Vec::new();
    if point <= 0 {
        whole.push(b'0');
        fraction.extend(std::iter::repeat_n(b'0', (-point) as usize));
        fraction.extend(&digits);
    } else if point as usize >= digits.len() {
        whole.extend(&digits);
        whole.extend(std::iter::repeat_n(b'0', point as usize - digits.len()));
    } else {
        whole.extend(&digits[..point as usize]);
        fraction.extend(&digits[point as usize..]);
    }
    let round_up = fraction.get(decimals).is_some_and(|d| *d >= b'5');
    fraction.resize(decimals, b'0');
    let mut number = whole;
    let whole_len = number.len();
    number.extend(fraction);
    if round_up {
        let mut i = number.len();
        loop {
            if i == 0 {
                number.insert(0, b'1');
                break;
            }
            i -= 1;
            if number[i] == b'9' {
                number[i] = b'0';
            } else {
                number[i] += 1;
                break;
            }
        }
    }
    let split = number.len() - decimals;
    debug_assert!(split >= whole_len);
    let (int_part, frac_part) = number.split_at(split);
    let mut out = String::from_utf8(int_part.to_vec()).expect("ASCII digits");
    if decimals > 0 {
        out.push('.');
        out.push_str(std::str::from_utf8(frac_part).expect("ASCII digits"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_rounds_the_shortest_digits_half_up() {
        assert_eq!(java_fixed(0.125, 2), "0.13");
        assert_eq!(java_fixed(9.999, 2), "10.00");
        assert_eq!(java_fixed(1.5, 4), "1.5000");
        assert_eq!(java_fixed(1024.0, 2), "1024.00");
        assert_eq!(java_fixed(0.001, 2), "0.00");
    }
}
