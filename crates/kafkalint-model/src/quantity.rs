//! Kubernetes resource quantities (`5Gi`, `512Mi`, `6G`, `1e9`, `500m`) as bytes.

/// Bytes in a memory quantity, rounded up; `None` when the text is not a Kubernetes quantity.
pub fn parse_memory(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    // `1e3` is a decimal exponent, not a suffix; `1E` alone is exa.
    let (number, suffix) = if suffix.is_empty() && (number.ends_with('E') || number.ends_with('e'))
    {
        (&number[..number.len() - 1], &text[number.len() - 1..])
    } else {
        (number, suffix)
    };
    if number.is_empty() || number.starts_with('-') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let factor: f64 = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        _ => return None,
    };
    let bytes = (value * factor).ceil();
    (bytes.is_finite() && bytes >= 0.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

pub const MIB: u64 = 1024 * 1024;
pub const GIB: u64 = 1024 * MIB;

/// `5120 MiB`-style text for messages; whole MiB, rounded to nearest.
pub fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes.saturating_add(MIB / 2) / MIB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_memory("5Gi"), Some(5 * GIB));
        assert_eq!(parse_memory("512Mi"), Some(512 * MIB));
        assert_eq!(parse_memory("6G"), Some(6_000_000_000));
        assert_eq!(parse_memory("1e9"), Some(1_000_000_000));
        assert_eq!(parse_memory("1.5Gi"), Some(1536 * MIB));
        assert_eq!(parse_memory("128974848"), Some(128974848));
        assert_eq!(parse_memory("500m"), Some(1));
        assert_eq!(parse_memory("1E"), Some(1_000_000_000_000_000_000));
        assert_eq!(parse_memory("5GB"), None);
        assert_eq!(parse_memory("-1Gi"), None);
        assert_eq!(parse_memory(""), None);
        assert_eq!(mib(5 * GIB), "5120 MiB");
    }
}
