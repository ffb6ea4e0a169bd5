//! Sizes in the two spellings a Valkey deployment mixes: Kubernetes resource quantities
//! (`k8s.io/apimachinery` `ParseQuantity`: `2Gi`, `1800M`, `1.5G`, `500m`, `1e9`) and
//! valkey-server memory values (`memtoull`: `k kb m mb g gb`, case-insensitive). Both become
//! bytes so that rules compare numbers, never strings.

/// Bytes of a Kubernetes quantity, rounded up as `Quantity.Value()` does; `None` when
/// apimachinery would reject the text.
pub fn parse_quantity(text: &str) -> Option<u128> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    let (sign, rest) = match s.as_bytes()[0] {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => (1, s),
    };
    let num_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (num, suffix) = rest.split_at(num_end);
    if num.is_empty() || num == "." || num.matches('.').count() > 1 {
        return None;
    }
    let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
    // value = mantissa / 10^frac_digits * multiplier; exact in integer arithmetic.
    let mantissa: u128 = format!("{int_part}{frac_part}").parse().ok()?;
    let mut den: u128 = 10u128.checked_pow(frac_part.len() as u32)?;
    let mut mul: u128 = 1;
    match suffix {
        "" => {}
        "Ki" => mul = 1 << 10,
        "Mi" => mul = 1 << 20,
        "Gi" => mul = 1 << 30,
        "Ti" => mul = 1 << 40,
        "Pi" => mul = 1 << 50,
        "Ei" => mul = 1 << 60,
        "n" => den = den.checked_mul(1_000_000_000)?,
        "u" => den = den.checked_mul(1_000_000)?,
        "m" => den = den.checked_mul(1_000)?,
        "k" => mul = 1_000,
        "M" => mul = 1_000_000,
        "G" => mul = 1_000_000_000,
        "T" => mul = 1_000_000_000_000,
        "P" => mul = 1_000_000_000_000_000,
        "E" => mul = 1_000_000_000_000_000_000,
        _ => {
            let exp = suffix
                .strip_prefix('e')
                .or_else(|| suffix.strip_prefix('E'))?;
            let e: i32 = exp.parse().ok()?;
            if exp.is_empty() || exp.starts_with('+') && exp.len() == 1 {
                return None;
            }
            if e >= 0 {
                mul = 10u128.checked_pow(e as u32)?;
            } else {
                den = den.checked_mul(10u128.checked_pow((-e) as u32)?)?;
            }
        }
    }
    if sign < 0 && mantissa != 0 {
        return None; // a negative size is never a valid memory limit for our purposes
    }
    let total = mantissa.checked_mul(mul)?;
    // apimachinery keeps at most nano precision and rounds up; Value() is ceil().
    Some(total.div_ceil(den))
}

/// Why `memtoull` refused a memory value, or the quirk it silently accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoryError {
    /// valkey-server refuses it: "argument must be a memory value".
    Invalid,
}

/// Bytes of a valkey-server memory value exactly as `memtoull` reads it.
///
/// The number before the unit must fit in 128 characters and in a u64 (`strtoull` with its range
/// check). Quirks kept on purpose: a unit with no digits (`gb`) or an empty string is 0; the
/// multiplication by the unit wraps around without an error, as the C code does.
pub fn parse_memory(text: &str) -> Result<u64, MemoryError> {
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    let mul: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return Err(MemoryError::Invalid),
    };
    if digits.len() >= 128 {
        return Err(MemoryError::Invalid);
    }
    let mut value: u64 = 0;
    for d in digits.bytes() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
            .ok_or(MemoryError::Invalid)?;
    }
    Ok(value.wrapping_mul(mul))
}

/// Whether a memory value parses but not as the author meant: a unit without digits (`gb` is 0).
pub fn memory_has_no_digits(text: &str) -> bool {
    !text.starts_with(|c: char| c.is_ascii_digit())
}

/// A byte count for people: `1.5 GiB`, `900 MiB`, `123 B`.
pub fn human_bytes(bytes: u128) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 || (v.fract() == 0.0) {
        format!("{} {}", v as u128, UNITS[i])
    } else {
        format!("{v:.2} {}", UNITS[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("1Gi"), Some(1 << 30));
        assert_eq!(parse_quantity("1.5Gi"), Some(1_610_612_736));
        assert_eq!(parse_quantity("0.5Gi"), Some(536_870_912));
        assert_eq!(parse_quantity("129M"), Some(129_000_000));
        assert_eq!(parse_quantity("128974848000m"), Some(128_974_848));
        assert_eq!(parse_quantity("400m"), Some(1)); // 0.4 bytes, rounded up
        assert_eq!(parse_quantity("1e3"), Some(1000));
        assert_eq!(parse_quantity("1E"), Some(1_000_000_000_000_000_000));
        assert_eq!(parse_quantity("1073741824"), Some(1 << 30));
        assert_eq!(parse_quantity(" 2Gi "), Some(2 << 30));
        for bad in [
            "", "1K", "1mi", "1gi", "1KB", "1GB", "Gi", "1.2.3", "1e", ".",
        ] {
            assert_eq!(parse_quantity(bad), None, "{bad}");
        }
    }

    #[test]
    fn memory_values() {
        assert_eq!(parse_memory("1k"), Ok(1000));
        assert_eq!(parse_memory("1K"), Ok(1000));
        assert_eq!(parse_memory("1kb"), Ok(1024));
        assert_eq!(parse_memory("1m"), Ok(1_000_000));
        assert_eq!(parse_memory("1MB"), Ok(1 << 20));
        assert_eq!(parse_memory("1g"), Ok(1_000_000_000));
        assert_eq!(parse_memory("1gb"), Ok(1 << 30));
        assert_eq!(parse_memory("1800mb"), Ok(1800 << 20));
        assert_eq!(parse_memory("100"), Ok(100));
        assert_eq!(parse_memory("100b"), Ok(100));
        assert_eq!(parse_memory("gb"), Ok(0));
        assert_eq!(parse_memory(""), Ok(0));
        assert_eq!(parse_memory("18446744073709551615"), Ok(u64::MAX));
        // The unit multiplication wraps, as in the server.
        assert_eq!(
            parse_memory("18446744073709551615kb"),
            Ok(u64::MAX.wrapping_mul(1024))
        );
        let long_zeros = format!("{}5", "0".repeat(126));
        assert_eq!(parse_memory(&long_zeros), Ok(5));
        for bad in [
            "1Gi", "1Mi", "1.5gb", "+1gb", "-1", "1t", "1tb", "0x10", "1e9",
        ] {
            assert_eq!(parse_memory(bad), Err(MemoryError::Invalid), "{bad}");
        }
        for bad in [
            "18446744073709551616".to_string(),
            "99999999999999999999".to_string(),
            format!("{}5", "0".repeat(127)),
        ] {
            assert_eq!(parse_memory(&bad), Err(MemoryError::Invalid), "{bad}");
        }
    }

    #[test]
    fn human() {
        assert_eq!(human_bytes(1 << 30), "1 GiB");
        assert_eq!(human_bytes(1800 << 20), "1.76 GiB");
    }
}
