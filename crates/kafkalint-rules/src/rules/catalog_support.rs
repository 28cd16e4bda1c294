//! What the config-catalog rules share: which documented Kafka versions describe a broker or
//! topic, where a config key was written, and how Kafka's `ConfigDef` parses a value.

use kafkalint_catalog::{self as catalog, ConfigKey, ConfigType, Group, KafkaVersion, Valid};
use kafkalint_model::image::split_image;
use kafkalint_model::{Broker, ImageFamily, Lookup, Model, Setting, Topic, Via};
use kafkalint_syntax::{Node, ScalarStyle, Span};

/// The catalog versions that describe Kafka `version`, nearest first. Unknown versions get
/// every catalog version, newest first, so callers can require agreement between them.
pub(crate) fn catalog_versions(version: Option<(u32, u32)>) -> Vec<KafkaVersion> {
    use KafkaVersion::*;
    match version {
        None => vec![V4_1, V4_0, V3_9, V3_6],
        Some((3, 9)) => vec![V3_9],
        Some((3, 7 | 8)) => vec![V3_9, V3_6],
        Some((3, _)) => vec![V3_6],
        Some((4, 0)) => vec![V4_0],
        Some((major, _)) if major >= 4 => vec![V4_1],
        Some(_) => vec![V3_6],
    }
}

/// A broker running Kafka older than 3.0, whose keys the catalog (3.6 and later) does not
/// fully cover. wurstmeister images stopped at Kafka 2.8; cp-kafka before 7.0 ships 2.x.
pub(crate) fn is_legacy(broker: &Broker) -> bool {
    if broker.family == ImageFamily::Wurstmeister {
        return true;
    }
    if let Some((major, _)) = broker.kafka_version {
        return major < 3;
    }
    if broker.family == ImageFamily::Confluent {
        let tag = broker
            .image
            .as_ref()
            .and_then(|(image, _)| split_image(image).tag);
        let major = tag
            .as_deref()
            .and_then(|t| t.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        return major.is_some_and(|m| m < 7);
    }
    false
}

pub(crate) fn broker_versions(broker: &Broker) -> Vec<KafkaVersion> {
    if is_legacy(broker) {
        return vec![KafkaVersion::V3_6];
    }
    catalog_versions(broker.kafka_version)
}

/// The brokers of the Strimzi cluster a topic names in its `strimzi.io/cluster` label.
pub(crate) fn cluster_brokers<'m>(
    model: &'m Model,
    topic: &Topic,
) -> impl Iterator<Item = &'m Broker> + 'm {
    let topic_ns = model
        .resources
        .get(topic.resource)
        .and_then(|r| r.id.namespace.clone());
    let named = topic.cluster.as_deref().map(|cluster| {
        kafkalint_model::topology::strimzi_brokers_named(model, cluster).filter(move |b| {
            model
                .resource(b.resource)
                .is_some_and(|r| r.same_namespace(&topic_ns))
        })
    });
    named.into_iter().flatten()
}

/// Catalog versions for a topic: its cluster's, when the cluster is in the input.
pub(crate) fn topic_versions(model: &Model, topic: &Topic) -> Vec<KafkaVersion> {
    let version = cluster_brokers(model, topic).find_map(|b| b.kafka_version);
    catalog_versions(version)
}

/// The key's definition in the first of `versions` that documents it.
pub(crate) fn lookup_in(
    versions: &[KafkaVersion],
    group: Group,
    key: &str,
) -> Option<&'static ConfigKey> {
    versions
        .iter()
        .find_map(|v| catalog::lookup(*v, group, key))
}

/// Whether any catalog version documents the key in the group.
pub(crate) fn known_anywhere(group: Group, key: &str) -> bool {
    lookup_in(&KafkaVersion::ALL, group, key).is_some()
}

/// Values resolved elsewhere: config providers (`${file:...}`), unexpanded `$(VAR)`, shell.
pub(crate) fn is_placeholder(value: &str) -> bool {
    value.contains('$') || value.contains('`')
}

/// A known value of a broker key, or the catalog default when the key is not set anywhere.
/// `None` when the value cannot be known or the versions disagree on the default.
pub(crate) fn effective_value<'a>(
    broker: &'a Broker,
    versions: &[KafkaVersion],
    key: &str,
) -> Option<(String, Option<&'a Setting>)> {
    match broker.config.lookup(key) {
        Lookup::Set(s, v) if !is_placeholder(v) => Some((v.trim().to_string(), Some(s))),
        Lookup::Set(..) | Lookup::Unknown => None,
        Lookup::Default => {
            let mut defaults = versions
                .iter()
                .map(|v| catalog::lookup(*v, Group::Broker, key).and_then(|k| k.default));
            let first = defaults.next()??;
            defaults
                .all(|d| d == Some(first))
                .then(|| (first.to_string(), None))
        }
    }
}

/// An integer value, the way `Long.parseLong` reads the trimmed text.
pub(crate) fn parse_long(value: &str) -> Option<i64> {
    let t = value.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.strip_prefix('+').unwrap_or(t).parse().ok()
}

/// A byte count with a readable size next to it: `10485760 (10 MiB)`.
pub(crate) fn bytes_text(n: i64) -> String {
    const UNITS: [(&str, i64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n.abs() >= size {
            let v = n as f64 / size as f64;
            let shown = if v.fract() == 0.0 {
                format!("{}", v as i64)
            } else {
                format!("{v:.1}")
            };
            return format!("{n} ({shown} {unit})");
        }
    }
    n.to_string()
}

/// The Strimzi `Kafka` resource a Strimzi broker (cluster or node pool) belongs to.
pub(crate) fn strimzi_kafka<'m>(
    model: &'m Model,
    broker: &Broker,
) -> Option<&'m kafkalint_model::Resource> {
    let r = model.resource(broker.resource)?;
    if r.kind() == "Kafka" {
        return Some(r);
    }
    let cluster = r.label("strimzi.io/cluster")?;
    model.resources_of_kind("Kafka").find(|k| {
        k.group() == "kafka.strimzi.io" && k.id.name == cluster && k.same_namespace(&r.id.namespace)
    })
}

/// The index of the resource whose document contains `span`.
pub(crate) fn resource_at(model: &Model, span: Span) -> Option<usize> {
    model
        .resources_in(span.source)
        .iter()
        .filter_map(|&i| Some((i, model.resources.get(i)?)))
        .filter(|(_, r)| contains_deep(&r.node, span))
        .min_by_key(|(_, r)| {
            (
                r.node.span.end.line - r.node.span.start.line,
                r.node.span.start,
            )
        })
        .map(|(i, _)| i)
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.source == inner.source && outer.start <= inner.start && inner.end <= outer.end
}

/// Whether a node holds `span`. Scalar spans cover only their first line, so a block
/// scalar is taken to hold every line of its value.
fn holds(node: &Node, span: Span) -> bool {
    match node.style() {
        Some(ScalarStyle::Literal | ScalarStyle::Folded) => {
            let lines = node.as_str().map_or(1, |t| t.lines().count().max(1)) as u32;
            node.span.source == span.source
                && span.start.line >= node.span.start.line
                && span.start.line < node.span.start.line + lines
        }
        _ => contains(node.span, span),
    }
}

/// The deepest mapping entry whose value holds `span`, with the mapping it is in.
fn entry_holding(node: &Node, span: Span) -> Option<(&Node, &Node, &Node)> {
    if let Some((k, v)) = node.as_map().iter().find(|(_, v)| contains_deep(v, span)) {
        return entry_holding(v, span).or(Some((node, k, v)));
    }
    node.as_seq()
        .iter()
        .find_map(|item| entry_holding(item, span))
}

/// Whether any scalar below `node` holds `span` (collection spans may stop short of a
/// trailing block scalar).
fn contains_deep(node: &Node, span: Span) -> bool {
    holds(node, span)
        || node.as_map().iter().any(|(_, v)| contains_deep(v, span))
        || node.as_seq().iter().any(|item| contains_deep(item, span))
}

/// The YAML node a setting's value was read from, when it is one.
pub(crate) fn value_node<'m>(model: &'m Model, s: &Setting) -> Option<&'m Node> {
    let resource = model.resources.get(resource_at(model, s.origin.span)?)?;
    entry_holding(&resource.node, s.origin.span).map(|(_, _, v)| v)
}

/// What the Kubernetes API server stores for a plain YAML scalar in a custom resource:
/// kubectl reads YAML 1.1, where `yes`/`no`/`on`/`off` are booleans and `1_000` is 1000.
/// `None` when the scalar means a number Kafka would see in another form (hex, octal).
pub(crate) fn yaml11_plain(text: &str) -> Option<String> {
    let t = text.trim();
    let boolean = match t {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some("true"),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some("false"),
        _ => None,
    };
    if let Some(b) = boolean {
        return Some(b.to_string());
    }
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.starts_with("0x") || digits.starts_with("0o") || digits.starts_with("0b") {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if t.contains('_') && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return Some(t.replace('_', ""));
    }
    Some(t.to_string())
}

/// Where a config key was written: the env var's name, the YAML key, the properties key.
/// Falls back to the value's span when the key's place cannot be known.
pub(crate) fn key_span(model: &Model, broker: Option<&Broker>, key: &str, s: &Setting) -> Span {
    let origin = s.origin.span;
    let key_len = key.chars().count() as u32;
    if let (Via::Env(var), Some(container)) =
        (&s.origin.via, broker.and_then(|b| model.container_of(b)))
    {
        let declared = container
            .get("env")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .rev()
            .find(|e| e.text_at(&["name"]) == Some(var.as_str()))
            .and_then(|e| e.get("name"));
        if let Some(name) = declared {
            return name.span;
        }
    }
    let same_line = origin.start.line == origin.end.line;
    if s.origin.via == Via::Override {
        // Only a span exactly over the value (`key=` right before it) locates the key.
        let exact = s.value.known().is_some_and(|v| {
            origin.end.col.saturating_sub(origin.start.col) == (v.chars().count() as u32).max(1)
        });
        return if exact && same_line && origin.start.col > key_len + 1 {
            Span::on_line(
                origin.source,
                origin.start.line,
                origin.start.col - key_len - 1,
                key_len,
            )
        } else {
            origin
        };
    }
    let Some(index) = resource_at(model, origin) else {
        // Standalone files: `NAME=value` and, most often, `key=value` from column 1.
        return match &s.origin.via {
            Via::Env(var) => {
                let len = var.chars().count() as u32;
                if same_line && origin.start.col > len + 1 {
                    Span::on_line(
                        origin.source,
                        origin.start.line,
                        origin.start.col - len - 1,
                        len,
                    )
                } else {
                    origin
                }
            }
            Via::Properties if same_line && origin.start.col == key_len + 2 => {
                Span::on_line(origin.source, origin.start.line, 1, key_len)
            }
            _ => origin,
        };
    };
    let Some(resource) = model.resources.get(index) else {
        return origin;
    };
    let Some((map, k, v)) = entry_holding(&resource.node, origin) else {
        return origin;
    };
    if matches!(k.as_str(), Some("value" | "valueFrom")) {
        if let Some(name) = map.get("name") {
            return name.span;
        }
    }
    if s.origin.via == Via::Properties && v.style() == Some(ScalarStyle::Literal) {
        let index = origin.start.line.saturating_sub(v.span.start.line) as usize;
        let Some(line) = v.as_str().and_then(|t| t.split('\n').nth(index)) else {
            return origin;
        };
        let indent = (line.chars().count() - line.trim_start().chars().count()) as u32;
        return Span::on_line(
            origin.source,
            origin.start.line,
            v.span.start.col + indent,
            key_len,
        );
    }
    if s.origin.via == Via::Properties {
        return origin;
    }
    k.span
}

/// The environment variable that would set `key` for this image, for help texts.
pub(crate) fn env_name_for(family: ImageFamily, written_as: &str, key: &str) -> Option<String> {
    let upper = |s: &str| s.to_ascii_uppercase();
    match family {
        ImageFamily::Bitnami if written_as.starts_with("KAFKA_CFG_") => (!key.contains(['_', '-']))
            .then(|| format!("KAFKA_CFG_{}", upper(&key.replace('.', "_")))),
        ImageFamily::Confluent | ImageFamily::Apache | ImageFamily::ApacheNative => {
            let escaped = key.replace('-', "___").replace('_', "__").replace('.', "_");
            // `___` for `-` was just doubled by the `_` step; undo that.
            let escaped = escaped.replace("______", "___");
            Some(format!("KAFKA_{}", upper(&escaped)))
        }
        ImageFamily::Wurstmeister if !key.contains(['_', '-']) => {
            Some(format!("KAFKA_{}", upper(&key.replace('.', "_"))))
        }
        _ => None,
    }
}

/// Why Kafka would refuse a value, and which part of it to point at.
#[derive(Debug, PartialEq)]
pub(crate) struct Problem {
    pub message: String,
    pub help: String,
    /// Character offset and length of the offending text inside the value.
    pub offset: usize,
    pub len: usize,
}

/// Check a value the way Kafka's `ConfigDef.parseType` and the key's validator would:
/// numbers by `Integer/Short/Long.parseLong` of the trimmed text, booleans `true`/`false` in
/// any case, enums against the documented list, ranges against the documented bounds.
/// `None` when the value is accepted or cannot be judged.
pub(crate) fn check_value(def: &ConfigKey, raw: &str, from_properties: bool) -> Option<Problem> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || is_placeholder(trimmed) {
        return None;
    }
    let offset = raw.chars().count() - raw.trim_start().chars().count();
    let len = trimmed.chars().count();
    let problem = type_and_value_problem(def, raw, trimmed, offset, len)?;
    if from_properties {
        // `key=524288  # 512KB`: the comment is part of the value; CFG006 reports that.
        if let Some(hash) = trimmed.find(" #").or_else(|| trimmed.find("\t#")) {
            if type_ok(def, trimmed[..hash].trim_end()) {
                return None;
            }
        }
    }
    Some(problem)
}

/// Whether `text` parses as the key's type (and enum), ignoring ranges.
fn type_ok(def: &ConfigKey, text: &str) -> bool {
    let t = text.trim();
    match def.ty {
        ConfigType::Boolean => t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false"),
        ConfigType::Int | ConfigType::Long | ConfigType::Short => {
            let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        }
        ConfigType::Double => t.parse::<f64>().is_ok(),
        ConfigType::String | ConfigType::List => match def.valid {
            Valid::Enum(allowed) => t
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .all(|v| enum_accepts(def, allowed, v)),
            _ => true,
        },
        ConfigType::Class | ConfigType::Password => true,
    }
}

fn type_and_value_problem(
    def: &ConfigKey,
    raw: &str,
    trimmed: &str,
    offset: usize,
    len: usize,
) -> Option<Problem> {
    let whole = |message: String, help: String| Problem {
        message,
        help,
        offset,
        len,
    };
    let name = def.name;
    match def.ty {
        ConfigType::Boolean => {
            if trimmed.eq_ignore_ascii_case("true") || trimmed.eq_ignore_ascii_case("false") {
                return None;
            }
            Some(whole(
                format!("{name} is a boolean and `{trimmed}` is neither true nor false"),
                format!("set {name} to true or false"),
            ))
        }
        ConfigType::Int | ConfigType::Long | ConfigType::Short => {
            let (type_name, min, max) = match def.ty {
                ConfigType::Int => (
                    "a 32-bit integer (int)",
                    i64::from(i32::MIN),
                    i64::from(i32::MAX),
                ),
                ConfigType::Short => (
                    "a 16-bit integer (short)",
                    i64::from(i16::MIN),
                    i64::from(i16::MAX),
                ),
                _ => ("a 64-bit integer (long)", i64::MIN, i64::MAX),
            };
            let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
            let is_integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
            if !is_integer {
                return Some(not_a_number(def, trimmed, type_name, offset, len));
            }
            let n = match trimmed.strip_prefix('+').unwrap_or(trimmed).parse::<i128>() {
                Ok(n) if n >= i128::from(min) && n <= i128::from(max) => n as i64,
                _ => {
                    return Some(whole(
                        format!("{name} is {type_name}, and {trimmed} does not fit: the largest value is {max}"),
                        format!("set {name} to at most {max}"),
                    ))
                }
            };
            range_problem(def, n as f64, trimmed).map(|(m, h)| whole(m, h))
        }
        ConfigType::Double => {
            let body = trimmed
                .strip_suffix(['d', 'D', 'f', 'F'])
                .unwrap_or(trimmed);
            let unsigned = body.strip_prefix(['+', '-']).unwrap_or(body);
            let x = match body.parse::<f64>() {
                Ok(x)
                    if unsigned
                        .bytes()
                        .next()
                        .is_some_and(|b| b.is_ascii_digit() || b == b'.') =>
                {
                    x
                }
                // Java also reads NaN, Infinity and hex floats; leave those alone.
                _ if unsigned.starts_with("NaN")
                    || unsigned.starts_with("Infinity")
                    || unsigned.starts_with("0x")
                    || unsigned.starts_with("0X") =>
                {
                    return None
                }
                _ => return Some(not_a_number(def, trimmed, "a number (double)", offset, len)),
            };
            range_problem(def, x, trimmed).map(|(m, h)| whole(m, h))
        }
        ConfigType::String | ConfigType::List => {
            let Valid::Enum(allowed) = def.valid else {
                return None;
            };
            let items: Vec<&str> = if def.ty == ConfigType::List {
                trimmed
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .collect()
            } else {
                vec![trimmed]
            };
            let bad = items
                .into_iter()
                .find(|item| !enum_accepts(def, allowed, item))?;
            let item_offset = raw.find(bad).map_or(offset, |b| raw[..b].chars().count());
            let close = allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(bad))
                .map(|a| format!("values are case-sensitive: write {a}"));
            let none_hint = (bad.eq_ignore_ascii_case("none") && allowed.contains(&"uncompressed"))
                .then(|| "brokers and topics call no compression `uncompressed` (`none` is the producer's name for it)".to_string());
            Some(Problem {
                message: format!(
                    "`{bad}` is not a valid value of {name}: it takes one of {}",
                    allowed.join(", ")
                ),
                help: close
                    .or(none_hint)
                    .unwrap_or_else(|| format!("set {name} to one of {}", allowed.join(", "))),
                offset: item_offset,
                len: bad.chars().count(),
            })
        }
        ConfigType::Class | ConfigType::Password => None,
    }
}

/// Version keys (`inter.broker.protocol.version`, ...) also take short forms like `3.6` or
/// `2.8.1`: Kafka reads the first two parts (three for 0.x) and maps them to the latest IV.
fn enum_accepts(def: &ConfigKey, allowed: &[&str], value: &str) -> bool {
    if def.enum_allows(value) {
        return true;
    }
    let versioned = allowed.iter().any(|a| a.contains("-IV"));
    if !versioned {
        return false;
    }
    let parts: Vec<&str> = value.split('.').collect();
    let keep = if value.starts_with("0.") { 3 } else { 2 };
    let short = parts
        .iter()
        .take(keep)
        .copied()
        .collect::<Vec<_>>()
        .join(".");
    allowed
        .iter()
        .any(|a| a.split("-IV").next() == Some(short.as_str()))
}

fn range_problem(def: &ConfigKey, x: f64, text: &str) -> Option<(String, String)> {
    if def.range_allows(x) {
        return None;
    }
    let Valid::Range { min, max } = def.valid else {
        return None;
    };
    let name = def.name;
    let bounds = match (min, max) {
        (Some(lo), Some(hi)) => format!("between {} and {}", show(lo), show(hi)),
        (Some(lo), None) => format!("at least {}", show(lo)),
        (None, Some(hi)) => format!("at most {}", show(hi)),
        (None, None) => return None,
    };
    let also = if def.also_allowed.is_empty() {
        String::new()
    } else {
        let extra: Vec<String> = def.also_allowed.iter().map(|a| show(*a)).collect();
        format!(" (or {})", extra.join(", "))
    };
    Some((
        format!("{name} is {text}, outside its valid range: it must be {bounds}{also}"),
        format!("set {name} to a value {bounds}{also}"),
    ))
}

fn show(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e18 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A number with a unit (`100MB`, `7d`) or other text where Kafka wants a plain number.
fn not_a_number(
    def: &ConfigKey,
    text: &str,
    type_name: &str,
    offset: usize,
    len: usize,
) -> Problem {
    let name = def.name;
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit = unit.trim();
    let converted = number.parse::<f64>().ok().and_then(|n| {
        let factor = unit_factor(name, unit)?;
        let v = n * factor;
        (v.fract() == 0.0).then(|| format!("{}", v as i64))
    });
    let help = match (&converted, unit.is_empty()) {
        (Some(v), false) => format!("Kafka takes no units: write {name}={v}"),
        _ => format!("set {name} to a plain number"),
    };
    let what = if !number.is_empty()
        && !unit.is_empty()
        && unit.chars().all(|c| c.is_ascii_alphabetic())
    {
        format!("`{text}` has a unit, which Kafka does not read")
    } else {
        format!("`{text}` is not a number")
    };
    Problem {
        message: format!("{name} is {type_name}: {what}"),
        help,
        offset,
        len,
    }
}

fn unit_factor(key: &str, unit: &str) -> Option<f64> {
    let u = unit.to_ascii_lowercase();
    if key.ends_with("bytes") {
        return match u.as_str() {
            "b" => Some(1.0),
            "k" | "kb" | "ki" | "kib" => Some(1024.0),
            "m" | "mb" | "mi" | "mib" => Some(1024.0 * 1024.0),
            "g" | "gb" | "gi" | "gib" => Some(1024.0 * 1024.0 * 1024.0),
            _ => None,
        };
    }
    let ms = if key.ends_with(".ms") {
        1.0
    } else if key.ends_with(".hours") {
        1.0 / 3_600_000.0
    } else if key.ends_with(".minutes") {
        1.0 / 60_000.0
    } else {
        return None;
    };
    let in_ms = match u.as_str() {
        "ms" => 1.0,
        "s" | "sec" | "secs" => 1000.0,
        "m" | "min" | "mins" => 60_000.0,
        "h" | "hr" | "hrs" => 3_600_000.0,
        "d" | "day" | "days" => 86_400_000.0,
        _ => return None,
    };
    Some(in_ms * ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broker_key(name: &str) -> &'static ConfigKey {
        catalog::lookup(KafkaVersion::V3_9, Group::Broker, name).unwrap()
    }

    #[test]
    fn numbers_booleans_enums() {
        let mmb = broker_key("message.max.bytes");
        assert!(check_value(mmb, " 1048588 ", false).is_none());
        assert!(check_value(mmb, "+5", false).is_none());
        let p = check_value(mmb, "100MB", false).unwrap();
        assert!(p.help.contains("104857600"), "{}", p.help);
        assert!(check_value(mmb, "2147483648", false)
            .unwrap()
            .message
            .contains("does not fit"));
        let auto = broker_key("auto.create.topics.enable");
        assert!(check_value(auto, "TRUE", false).is_none());
        assert!(check_value(auto, "yes", false).is_some());
        let ct = broker_key("compression.type");
        assert!(check_value(ct, "none", false)
            .unwrap()
            .help
            .contains("uncompressed"));
        assert!(check_value(ct, "Snappy", false)
            .unwrap()
            .help
            .contains("case-sensitive"));
        let ibp = broker_key("inter.broker.protocol.version");
        assert!(check_value(ibp, "2.8", false).is_none());
        assert!(check_value(ibp, "3.6.1", false).is_none());
        assert!(check_value(ibp, "0.10.2", false).is_none());
        assert!(check_value(ibp, "9.9", false).is_some());
        let policy = broker_key("log.cleanup.policy");
        assert!(check_value(policy, "compact, delete", false).is_none());
        let p = check_value(policy, "compact,remove", false).unwrap();
        assert_eq!((p.offset, p.len), (8, 6));
    }

    #[test]
    fn properties_comment_is_left_to_cfg006() {
        let seg = broker_key("log.segment.bytes");
        assert!(check_value(seg, "524288  # 512KB", true).is_none());
        assert!(check_value(seg, "524288  # 512KB", false)
            .unwrap()
            .message
            .contains("not a number"));
    }

    #[test]
    fn ranges() {
        let parts = broker_key("num.partitions");
        assert!(check_value(parts, "0", false)
            .unwrap()
            .message
            .contains("at least 1"));
        let ratio = broker_key("log.cleaner.min.cleanable.ratio");
        assert!(check_value(ratio, "0.5", false).is_none());
        assert!(check_value(ratio, "1.5", false).is_some());
        assert!(check_value(ratio, "half", false).is_some());
    }

    #[test]
    fn env_names() {
        assert_eq!(
            env_name_for(ImageFamily::Bitnami, "KAFKA_CFG_X", "log.retention.hours").as_deref(),
            Some("KAFKA_CFG_LOG_RETENTION_HOURS")
        );
        assert_eq!(
            env_name_for(
                ImageFamily::Confluent,
                "KAFKA_X",
                "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config"
            )
            .as_deref(),
            Some("KAFKA_LISTENER_NAME_SASL__SSL_SCRAM___SHA___256_SASL_JAAS_CONFIG")
        );
    }

    #[test]
    fn versions() {
        assert_eq!(
            catalog_versions(Some((3, 8))),
            vec![KafkaVersion::V3_9, KafkaVersion::V3_6]
        );
        assert_eq!(catalog_versions(Some((4, 2))), vec![KafkaVersion::V4_1]);
        assert_eq!(catalog_versions(None).len(), 4);
        assert_eq!(parse_long(" -1 "), Some(-1));
        assert_eq!(parse_long("1e3"), None);
    }
}
