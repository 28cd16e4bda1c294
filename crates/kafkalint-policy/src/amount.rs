//! Numbers with units, for custom-rule `min`/`max`: sizes (`512MiB`, `4Gi`, `1GB`) and
//! durations (`500ms`, `30s`, `15min`, `12h`, `7d`).

/// What a number measures; plain numbers have no dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    None,
    Bytes,
    Millis,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Amount {
    pub value: f64,
    pub dimension: Dimension,
}

const SIZE_UNITS: &[(&str, f64)] = &[
    ("KiB", 1024.0),
    ("MiB", 1048576.0),
    ("GiB", 1073741824.0),
    ("TiB", 1099511627776.0),
    ("Ki", 1024.0),
    ("Mi", 1048576.0),
    ("Gi", 1073741824.0),
    ("Ti", 1099511627776.0),
    ("KB", 1e3),
    ("MB", 1e6),
    ("GB", 1e9),
    ("TB", 1e12),
    ("k", 1e3),
    ("K", 1e3),
    ("M", 1e6),
    ("G", 1e9),
    ("T", 1e12),
    ("B", 1.0),
];

const TIME_UNITS: &[(&str, f64)] = &[
    ("ms", 1.0),
    ("min", 60_000.0),
    ("s", 1000.0),
    ("h", 3_600_000.0),
    ("d", 86_400_000.0),
];

impl Amount {
    /// A number with an optional unit. `m` is refused: minutes or milli is a guess.
    pub fn parse(text: &str) -> Option<Amount> {
        let t = text.trim();
        let split = t
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-')))
            .map_or(t.len(), |(i, _)| i);
        let (num, unit) = t.split_at(split);
        let value: f64 = num.parse().ok()?;
        let unit = unit.trim();
        if unit.is_empty() {
            return Some(Amount {
                value,
                dimension: Dimension::None,
            });
        }
        for (table, dimension) in [
            (TIME_UNITS, Dimension::Millis),
            (SIZE_UNITS, Dimension::Bytes),
        ] {
            if let Some((_, f)) = table.iter().find(|(u, _)| *u == unit) {
                return Some(Amount {
                    value: value * f,
                    dimension,
                });
            }
        }
        None
    }

    /// A Kafka config value read in the unit its key's name gives (`retention.ms` is in
    /// milliseconds, `log.retention.hours` in hours, `segment.bytes` in bytes).
    pub fn of_config(key: &str, value: &str) -> Option<Amount> {
        let v: f64 = value.trim().parse().ok()?;
        let (factor, dimension) = if key.ends_with(".ms") {
            (1.0, Dimension::Millis)
        } else if key.ends_with(".minutes") {
            (60_000.0, Dimension::Millis)
        } else if key.ends_with(".hours") {
            (3_600_000.0, Dimension::Millis)
        } else if key.ends_with(".bytes") {
            (1.0, Dimension::Bytes)
        } else {
            (1.0, Dimension::None)
        };
        Some(Amount {
            value: v * factor,
            dimension,
        })
    }

    /// Compare with a threshold; `None` when the dimensions cannot be compared.
    pub fn compare(&self, threshold: &Amount) -> Option<std::cmp::Ordering> {
        let comparable = self.dimension == threshold.dimension
            || threshold.dimension == Dimension::None
            || self.dimension == Dimension::None;
        if comparable {
            self.value.partial_cmp(&threshold.value)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(Amount::parse("7d").unwrap().value, 604_800_000.0);
        assert_eq!(Amount::parse("15min").unwrap().value, 900_000.0);
        assert_eq!(Amount::parse("1GiB").unwrap().value, 1073741824.0);
        assert_eq!(Amount::parse("4Gi").unwrap().dimension, Dimension::Bytes);
        assert_eq!(Amount::parse("1GB").unwrap().value, 1e9);
        assert_eq!(Amount::parse("-1").unwrap().value, -1.0);
        assert!(Amount::parse("5m").is_none());
        assert!(Amount::parse("lots").is_none());
        let retention = Amount::of_config("log.retention.hours", "168").unwrap();
        assert_eq!(
            retention.compare(&Amount::parse("7d").unwrap()),
            Some(std::cmp::Ordering::Equal)
        );
        let bytes = Amount::of_config("segment.bytes", "1024").unwrap();
        assert_eq!(bytes.compare(&Amount::parse("1s").unwrap()), None);
    }
}
