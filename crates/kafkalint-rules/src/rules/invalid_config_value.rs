use kafkalint_catalog::{self as catalog, Group, KafkaVersion};
use kafkalint_model::{Model, Setting, Value, Via};
use kafkalint_syntax::ScalarStyle;

use super::catalog_support::{
    broker_versions, check_value, resource_at, topic_versions, value_node, yaml11_plain, Problem,
};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports config values Kafka refuses: wrong type, out of range, or not one of the
    /// documented values.
    ///
    /// It parses every value of a broker's effective config and of each Strimzi `KafkaTopic`'s
    /// `spec.config` the way Kafka's `ConfigDef` does for the key's documented type, and
    /// checks it against the documented valid values:
    /// - numbers (`int`, `long`, `short`) are plain digits with an optional sign: `100MB`,
    ///   `7d` or `1e6` are refused, and an `int` above 2147483647 overflows;
    /// - booleans are `true` or `false` in any letter case, nothing else (`yes`, `1`, `on`);
    /// - enumerated values must be in the documented list, case-sensitively unless Kafka
    ///   documents the key as case-insensitive (so `compression.type=none` is refused on a
    ///   broker, which calls it `uncompressed`); version keys like
    ///   `inter.broker.protocol.version` also take short forms such as `3.6`;
    /// - numbers must be inside the documented range (`num.partitions` at least 1, ...).
    ///
    /// A `.properties` value that only fails because of a trailing `# comment` is left to
    /// CFG006. Values that are unknown (Secrets, fieldRefs), config-provider placeholders (`${...}`)
    /// and values resolved by a shell (`$VAR`) are skipped. When the Kafka version is unknown,
    /// a value is reported only if every documented version refuses it.
    ///
    /// ## Why is this bad?
    /// A broker parses its whole config at startup and exits on the first value it cannot
    /// parse or that fails its validator, so one `100MB` keeps the pod in a crash loop. A topic
    /// config with such a value is refused, and the `KafkaTopic` never reconciles.
    ///
    /// Sources: types, valid values and ranges from the Kafka generated config docs
    /// (`configs-{3.6,3.9,4.0,4.1}.json`); parsing rules from apache/kafka
    /// `clients/.../config/ConfigDef.java` (`parseType`: trimmed text,
    /// `Integer/Short/Long.parseLong`, `equalsIgnoreCase("true"/"false")`) and
    /// `MetadataVersion.fromVersionString` (short version forms).
    ///
    /// ## Example
    /// ```properties
    /// message.max.bytes=10MB
    /// auto.create.topics.enable=no
    /// compression.type=none
    /// ```
    ///
    /// ## Fix
    /// ```properties
    /// message.max.bytes=10485760
    /// auto.create.topics.enable=false
    /// compression.type=uncompressed
    /// ```
    pub struct InvalidConfigValue {
        code: "CFG004",
        name: "invalid-config-value",
        category: Config,
        severity: Error,
    }
}

/// The problem every candidate version agrees on, so an unknown version never guesses.
fn agreed_problem(
    model: &Model,
    versions: &[KafkaVersion],
    group: Group,
    key: &str,
    s: &Setting,
) -> Option<Problem> {
    let Value::Known(raw) = &s.value else {
        return None;
    };
    if s.origin.via == Via::Strimzi {
        let node = value_node(model, s)?;
        if node.is_null() {
            return None;
        }
        if node.style() == Some(ScalarStyle::Plain) {
            let stored = yaml11_plain(raw)?;
            // Positions inside a rewritten value would not match the source.
            if stored != raw.trim() {
                return agreed(versions, group, key, &stored, false).map(|p| Problem {
                    offset: 0,
                    len: raw.chars().count(),
                    ..p
                });
            }
        }
    }
    agreed(versions, group, key, raw, s.origin.via == Via::Properties)
}

fn agreed(
    versions: &[KafkaVersion],
    group: Group,
    key: &str,
    raw: &str,
    from_properties: bool,
) -> Option<Problem> {
    let defs: Vec<_> = versions
        .iter()
        .filter_map(|v| catalog::lookup(*v, group, key))
        .collect();
    let mut problems = defs.iter().map(|d| check_value(d, raw, from_properties));
    let first = problems.next()??;
    problems.all(|p| p.is_some()).then_some(first)
}

/// Standalone env files may be meant for docker compose, which strips quotes; leave them.
fn quoted_env_value(model: &Model, s: &Setting) -> bool {
    let quoted = s.value.known().is_some_and(|v| {
        let v = v.trim();
        v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')))
    });
    quoted && matches!(s.origin.via, Via::Env(_)) && resource_at(model, s.origin.span).is_none()
}

impl Rule for InvalidConfigValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for broker in &model.brokers {
            let versions = broker_versions(broker);
            for (key, s) in &broker.config.entries {
                if s.origin.via == Via::ImageDefault || quoted_env_value(model, s) {
                    continue;
                }
                let Some(p) = agreed_problem(model, &versions, Group::Broker, key, s) else {
                    continue;
                };
                let span = s.sub_span(p.offset, p.len);
                out.push(
                    Finding::new(
                        span,
                        format!("{}; the broker refuses to start with it", p.message),
                    )
                    .label("Kafka cannot use this value")
                    .help(p.help)
                    .resource(resource_at(model, span).or(broker.resource)),
                );
            }
        }
        for topic in &model.topics {
            let versions = topic_versions(model, topic);
            for (key, s) in &topic.config.entries {
                let Some(p) = agreed_problem(model, &versions, Group::Topic, key, s) else {
                    continue;
                };
                out.push(
                    Finding::new(
                        s.sub_span(p.offset, p.len),
                        format!("{}; Kafka refuses topic {} with it", p.message, topic.name),
                    )
                    .label("Kafka cannot use this value")
                    .help(p.help)
                    .resource(Some(topic.resource)),
                );
            }
        }
    }
}
