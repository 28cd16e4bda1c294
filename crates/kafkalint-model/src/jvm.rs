//! JVM command-line options: sizes parsed the way HotSpot parses them, and the effective
//! memory flags of a command line where the last occurrence wins.

/// What HotSpot makes of a size argument such as the `4096m` in `-Xmx4096m`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JvmSize {
    Bytes(u64),
    /// Rejected by the JVM ("Invalid maximum heap size"): `1Gi`, `1.5g`, `1gb`, `-1g`, `0`.
    Invalid(&'static str),
}

/// Parse `<digits>[k|K|m|M|g|G|t|T]`; no suffix means bytes. Integers only.
pub fn parse_size(text: &str) -> JvmSize {
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(digits_end);
    if digits.is_empty() {
        return JvmSize::Invalid("a JVM size must start with digits");
    }
    let multiplier: u64 = match suffix {
        "" => 1,
        "k" | "K" => 1 << 10,
        "m" | "M" => 1 << 20,
        "g" | "G" => 1 << 30,
        "t" | "T" => 1 << 40,
        s if s.starts_with('.') => {
            return JvmSize::Invalid("the JVM takes whole numbers only (use 1536m, not 1.5g)")
        }
        "Ki" | "Mi" | "Gi" | "Ti" | "KiB" | "MiB" | "GiB" => {
            return JvmSize::Invalid(
                "Kubernetes quantity units (Ki, Mi, Gi) are not JVM units (use k, m, g)",
            )
        }
        "kb" | "KB" | "mb" | "MB" | "gb" | "GB" | "Mb" | "Gb" => {
            return JvmSize::Invalid("the JVM accepts a single-letter unit (m or g), not mb or gb")
        }
        _ => return JvmSize::Invalid("unknown unit: the JVM accepts k, m, g or t"),
    };
    match digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
    {
        Some(0) => JvmSize::Invalid("a size of 0 is rejected"),
        Some(bytes) => JvmSize::Bytes(bytes),
        None => JvmSize::Invalid("the size overflows"),
    }
}

/// The memory-related flags we model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SizeFlag {
    Xmx,
    Xms,
    Xss,
    MaxDirectMemorySize,
    MaxMetaspaceSize,
    ReservedCodeCacheSize,
    /// `-XX:ThreadStackSize` is in kilobytes.
    ThreadStackSize,
}

impl SizeFlag {
    pub fn display(self) -> &'static str {
        match self {
            SizeFlag::Xmx => "-Xmx",
            SizeFlag::Xms => "-Xms",
            SizeFlag::Xss => "-Xss",
            SizeFlag::MaxDirectMemorySize => "-XX:MaxDirectMemorySize",
            SizeFlag::MaxMetaspaceSize => "-XX:MaxMetaspaceSize",
            SizeFlag::ReservedCodeCacheSize => "-XX:ReservedCodeCacheSize",
            SizeFlag::ThreadStackSize => "-XX:ThreadStackSize",
        }
    }
}

/// Split a JVM option token into a size flag and its argument.
pub fn size_flag(token: &str) -> Option<(SizeFlag, &str)> {
    const PREFIXES: [(&str, SizeFlag); 7] = [
        ("-XX:MaxDirectMemorySize=", SizeFlag::MaxDirectMemorySize),
        ("-XX:MaxMetaspaceSize=", SizeFlag::MaxMetaspaceSize),
        (
            "-XX:ReservedCodeCacheSize=",
            SizeFlag::ReservedCodeCacheSize,
        ),
        ("-XX:ThreadStackSize=", SizeFlag::ThreadStackSize),
        ("-Xmx", SizeFlag::Xmx),
        ("-Xms", SizeFlag::Xms),
        ("-Xss", SizeFlag::Xss),
    ];
    PREFIXES
        .iter()
        .find_map(|(prefix, flag)| token.strip_prefix(prefix).map(|rest| (*flag, rest)))
}

/// `-XX:MaxRAMPercentage=75.0` and friends.
pub fn percentage_flag(token: &str, name: &str) -> Option<f64> {
    token
        .strip_prefix("-XX:")
        .and_then(|t| t.strip_prefix(name))
        .and_then(|t| t.strip_prefix('='))
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| v.is_finite() && (0.0..=100.0).contains(v))
}

/// Split an options string on whitespace, keeping each token's character offset.
pub fn tokens(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (char_index, (byte, c)) in text.char_indices().enumerate() {
        if c.is_whitespace() {
            if let Some((b, ci)) = start.take() {
                out.push((ci, &text[b..byte]));
            }
        } else if start.is_none() {
            start = Some((byte, char_index));
        }
    }
    if let Some((b, ci)) = start {
        out.push((ci, &text[b..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hotspot_sizes() {
        assert_eq!(parse_size("1g"), JvmSize::Bytes(1 << 30));
        assert_eq!(parse_size("1G"), JvmSize::Bytes(1 << 30));
        assert_eq!(parse_size("1024m"), JvmSize::Bytes(1 << 30));
        assert_eq!(parse_size("1048576k"), JvmSize::Bytes(1 << 30));
        assert_eq!(parse_size("1073741824"), JvmSize::Bytes(1 << 30));
        assert_eq!(parse_size("1t"), JvmSize::Bytes(1 << 40));
        assert_eq!(parse_size("2048"), JvmSize::Bytes(2048));
        for bad in [
            "1.5g",
            "1gb",
            "512mb",
            "1GiB",
            "1Gi",
            "0",
            "-1g",
            "",
            "g",
            "99999999999999999999t",
        ] {
            assert!(matches!(parse_size(bad), JvmSize::Invalid(_)), "{bad}");
        }
    }

    #[test]
    fn flags_and_tokens() {
        assert_eq!(size_flag("-Xmx4096m"), Some((SizeFlag::Xmx, "4096m")));
        assert_eq!(
            size_flag("-XX:MaxDirectMemorySize=1536m"),
            Some((SizeFlag::MaxDirectMemorySize, "1536m"))
        );
        assert_eq!(size_flag("-XX:+UseG1GC"), None);
        assert_eq!(
            percentage_flag("-XX:MaxRAMPercentage=75.0", "MaxRAMPercentage"),
            Some(75.0)
        );
        assert_eq!(
            tokens("  -Xmx1g   -Xms1g"),
            vec![(2, "-Xmx1g"), (11, "-Xms1g")]
        );
    }
}
