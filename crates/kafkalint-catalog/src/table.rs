//! Row types and short constructors used by the generated tables.

use crate::{ConfigKey, ConfigType, Importance, Valid};

/// One key as documented in the versions whose bits are set in `versions`.
/// A key whose fields differ between versions has one row per distinct shape.
pub(crate) struct Entry {
    pub(crate) versions: u8,
    pub(crate) key: ConfigKey,
}

/// Topic key -> broker key(s) that supply its default.
pub(crate) struct TopicDefault {
    pub(crate) versions: u8,
    pub(crate) topic: &'static str,
    pub(crate) broker: &'static str,
    /// Broker keys in precedence order; the first one set wins.
    pub(crate) chain: &'static [&'static str],
}

pub(crate) const ANY: Valid = Valid::Any;
pub(crate) const RO: Option<&str> = Some("read-only");
pub(crate) const PB: Option<&str> = Some("per-broker");
pub(crate) const CW: Option<&str> = Some("cluster-wide");

const DEPRECATED: u8 = 1;
const REQUIRED: u8 = 2;
const CASE_INSENSITIVE: u8 = 4;

pub(crate) const fn r(min: Option<f64>, max: Option<f64>) -> Valid {
    Valid::Range { min, max }
}

// Positional on purpose: it keeps each generated row on one short line.
#[allow(clippy::too_many_arguments)]
pub(crate) const fn k(
    versions: u8,
    name: &'static str,
    ty: ConfigType,
    default: Option<&'static str>,
    valid: Valid,
    importance: Importance,
    flags: u8,
    dynamic_update_mode: Option<&'static str>,
    also_allowed: &'static [f64],
) -> Entry {
    Entry {
        versions,
        key: ConfigKey {
            name,
            ty,
            default,
            valid,
            importance,
            deprecated: flags & DEPRECATED != 0,
            dynamic_update_mode,
            required: flags & REQUIRED != 0,
            case_insensitive: flags & CASE_INSENSITIVE != 0,
            also_allowed,
        },
    }
}
