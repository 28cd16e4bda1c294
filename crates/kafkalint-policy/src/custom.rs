//! Custom rules declared in a policy file: a match on the object, a target value and a
//! condition on it. The rules crate evaluates them against the model.

use regex_lite::Regex;
use serde::{Deserialize, Serialize};

use crate::amount::Amount;
use crate::Severity;

/// A YAML scalar as the user wrote it (`false`, `3`, `lz4`), compared as text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl Scalar {
    pub fn text(&self) -> String {
        match self {
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Text(s) => s.clone(),
        }
    }
}

/// Which objects a custom rule looks at. Empty lists match everything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomMatch {
    /// Kinds of the object holding the value: `StatefulSet`, `Kafka`, `KafkaTopic`, ...
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// Image families of the broker: bitnami, confluent, apache, apache-native, wurstmeister,
    /// strimzi, other.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// A namespace glob (`prod-*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The value a custom rule checks (exactly one target) and the conditions it must meet (all of
/// those given).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomCheck {
    /// A key of each broker's effective config; unset keys take Kafka's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_config: Option<String>,
    /// A key of each KafkaTopic's `spec.config`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_config: Option<String>,
    /// An env var of each container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// A dotted field path in the object (`spec.template.spec.securityContext.runAsNonRoot`);
    /// `*` walks every list item or map value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The topic's name (`spec.topicName`, else `metadata.name` of a KafkaTopic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_name: Option<bool>,

    /// The value must equal this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Scalar>,
    /// The value must be one of these.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<Scalar>>,
    /// The value must match this regular expression (anchor it with `^...$` for a full match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// The value must be at least this: a number, a size (`1GiB`, `4Gi`) or a duration
    /// (`500ms`, `30s`, `15min`, `12h`, `7d`); config values are read in their key's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Scalar>,
    /// The value must be at most this (same units as `min`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Scalar>,
    /// `true`: the value must be set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    /// `true`: the value must not be set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absent: Option<bool>,

    #[serde(skip)]
    pub compiled_regex: Option<Regex>,
}

/// What a custom rule's check reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomTarget<'a> {
    BrokerConfig(&'a str),
    TopicConfig(&'a str),
    Env(&'a str),
    Field(&'a str),
    TopicName,
}

impl CustomCheck {
    pub fn target(&self) -> Option<CustomTarget<'_>> {
        let mut targets = Vec::new();
        if let Some(k) = &self.broker_config {
            targets.push(CustomTarget::BrokerConfig(k));
        }
        if let Some(k) = &self.topic_config {
            targets.push(CustomTarget::TopicConfig(k));
        }
        if let Some(k) = &self.env {
            targets.push(CustomTarget::Env(k));
        }
        if let Some(k) = &self.field {
            targets.push(CustomTarget::Field(k));
        }
        if self.topic_name == Some(true) {
            targets.push(CustomTarget::TopicName);
        }
        (targets.len() == 1).then(|| targets[0])
    }

    fn has_condition(&self) -> bool {
        self.equals.is_some()
            || self.one_of.is_some()
            || self.regex.is_some()
            || self.min.is_some()
            || self.max.is_some()
            || self.present.is_some()
            || self.absent.is_some()
    }

    pub fn min_amount(&self) -> Option<Amount> {
        self.min.as_ref().and_then(|s| Amount::parse(&s.text()))
    }

    pub fn max_amount(&self) -> Option<Amount> {
        self.max.as_ref().and_then(|s| Amount::parse(&s.text()))
    }

    /// Why a value fails the conditions; `None` when it passes. `value` is `None` when unset.
    /// `amount` reads the value with units (config values in their key's unit).
    pub fn violation(
        &self,
        value: Option<&str>,
        amount: impl Fn(&str) -> Option<Amount>,
    ) -> Option<String> {
        if self.present == Some(true) && value.is_none() {
            return Some("is not set".into());
        }
        if self.absent == Some(true) {
            if let Some(v) = value {
                return Some(format!("is set (to `{v}`)"));
            }
        }
        let v = value?;
        if let Some(want) = &self.equals {
            let want = want.text();
            if !equal(v, &want) {
                return Some(format!("is `{v}`, not `{want}`"));
            }
        }
        if let Some(list) = &self.one_of {
            if !list.iter().any(|w| equal(v, &w.text())) {
                let names: Vec<String> = list.iter().map(|w| format!("`{}`", w.text())).collect();
                return Some(format!("is `{v}`, not one of {}", names.join(", ")));
            }
        }
        if let Some(re) = &self.compiled_regex {
            if !re.is_match(v) {
                return Some(format!(
                    "is `{v}`, which does not match `{}`",
                    self.regex.as_deref().unwrap_or("")
                ));
            }
        }
        for (bound, is_min) in [(self.min_amount(), true), (self.max_amount(), false)] {
            let Some(bound) = bound else { continue };
            let shown = if is_min { &self.min } else { &self.max };
            let shown = shown.as_ref().map(Scalar::text).unwrap_or_default();
            let Some(actual) = amount(v) else {
                return Some(format!("is `{v}`, not a number to compare with {shown}"));
            };
            match actual.compare(&bound) {
                None => return Some(format!("is `{v}`, which cannot be compared with {shown}")),
                Some(std::cmp::Ordering::Less) if is_min => {
                    return Some(format!("is `{v}`, below the minimum of {shown}"))
                }
                Some(std::cmp::Ordering::Greater) if !is_min => {
                    return Some(format!("is `{v}`, above the maximum of {shown}"))
                }
                _ => {}
            }
        }
        None
    }
}

/// Kafka reads booleans case-insensitively; everything else compares exactly.
fn equal(value: &str, want: &str) -> bool {
    let v = value.trim();
    if want.eq_ignore_ascii_case("true") || want.eq_ignore_ascii_case("false") {
        v.eq_ignore_ascii_case(want)
    } else {
        v == want
    }
}

/// A rule declared in a policy file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomRule {
    /// `CUS` and three or more digits (`CUS001`): custom codes never clash with built-in ones.
    pub code: String,
    /// A kebab-case name (`no-auto-create-topics`).
    pub name: String,
    /// What a finding says; the check's reason is appended.
    pub message: String,
    #[serde(default = "default_custom_severity")]
    pub severity: Severity,
    /// Printed by `kafkalint rule CODE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, rename = "match")]
    pub matches: CustomMatch,
    pub check: CustomCheck,
    /// The file the rule was declared in.
    #[serde(skip)]
    pub origin: String,
}

fn default_custom_severity() -> Severity {
    Severity::Warning
}

pub(crate) const IMAGE_FAMILIES: &[&str] = &[
    "bitnami",
    "confluent",
    "apache",
    "apache-native",
    "wurstmeister",
    "strimzi",
    "other",
];

impl CustomRule {
    /// Problems with the declaration, each with the field it is about.
    pub(crate) fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let digits = self.code.strip_prefix("CUS").unwrap_or("");
        if digits.len() < 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            out.push((
                "code",
                format!(
                    "custom rule code `{}` must be CUS followed by three or more digits (CUS001)",
                    self.code
                ),
            ));
        }
        if self.name.is_empty()
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            out.push((
                "name",
                format!("custom rule name `{}` must be kebab-case", self.name),
            ));
        }
        if self.check.target().is_none() {
            out.push((
                "check",
                "a custom check needs exactly one of broker_config, topic_config, env, field, topic_name".into(),
            ));
        }
        if !self.check.has_condition() {
            out.push((
                "check",
                "a custom check needs a condition: equals, in, regex, min, max, present or absent"
                    .into(),
            ));
        }
        for (field, v) in [("min", &self.check.min), ("max", &self.check.max)] {
            if let Some(v) = v {
                if Amount::parse(&v.text()).is_none() {
                    out.push((
                        field,
                        format!(
                            "`{}` is not a number, a size (512MiB, 4Gi) or a duration (30s, 15min, 7d)",
                            v.text()
                        ),
                    ));
                }
            }
        }
        for image in &self.matches.images {
            if !IMAGE_FAMILIES.contains(&image.as_str()) {
                out.push((
                    "images",
                    format!(
                        "unknown image family `{image}` (one of {})",
                        IMAGE_FAMILIES.join(", ")
                    ),
                ));
            }
        }
        out
    }
}
