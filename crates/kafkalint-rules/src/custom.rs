//! Custom rules from the policy file, evaluated against the model like built-in rules.

use kafkalint_catalog::{Group, KafkaVersion};
use kafkalint_model::{image, Broker, ImageFamily, Lookup, Model, Resource};
use kafkalint_policy::{namespace_matches, Amount, CustomRule, CustomTarget, Policy};
use kafkalint_syntax::{Node, Span};

use crate::Diagnostic;

/// The category every custom rule is in, for selectors (`custom: { severity: error }`).
pub const CATEGORY: &str = "custom";

struct Candidate<'a> {
    value: Option<String>,
    /// Where the value is, or where it should be added.
    span: Span,
    /// `key is ...` in messages.
    subject: String,
    resource: Option<&'a Resource>,
    /// Set when the value is Kafka's default rather than written down.
    default_note: Option<String>,
}

pub fn run(model: &Model, policy: &Policy, out: &mut Vec<Diagnostic>) {
    for rule in &policy.custom_rules {
        let decision = policy.decide(&rule.code, CATEGORY, rule.severity);
        if !decision.enabled {
            continue;
        }
        let Some(target) = rule.check.target() else {
            continue;
        };
        let mut candidates = Vec::new();
        collect(model, rule, target, &mut candidates);
        for c in candidates {
            let amount = |v: &str| match target {
                CustomTarget::BrokerConfig(k) | CustomTarget::TopicConfig(k) => {
                    Amount::of_config(k, v)
                }
                _ => Amount::parse(v),
            };
            let Some(reason) = rule.check.violation(c.value.as_deref(), amount) else {
                continue;
            };
            let mut message = format!("{}: {} {reason}", rule.message, c.subject);
            if let Some(note) = &c.default_note {
                message.push_str(&format!(" ({note})"));
            }
            out.push(Diagnostic {
                code: rule.code.clone(),
                severity: decision.severity,
                message,
                span: c.span,
                label: Some(format!("custom rule {} from {}", rule.name, rule.origin)),
                labels: Vec::new(),
                help: rule.description.clone(),
                resource: c.resource.map(|r| r.id.clone()),
                key: Some(c.subject),
            });
        }
    }
}

fn kind_ok(rule: &CustomRule, kind: Option<&str>) -> bool {
    rule.matches.kinds.is_empty()
        || kind.is_some_and(|k| rule.matches.kinds.iter().any(|m| m.eq_ignore_ascii_case(k)))
}

fn namespace_ok(rule: &CustomRule, resource: Option<&Resource>) -> bool {
    match &rule.matches.namespace {
        None => true,
        Some(glob) => namespace_matches(glob, resource.and_then(|r| r.id.namespace.as_deref())),
    }
}

fn family_ok(rule: &CustomRule, family: Option<ImageFamily>) -> bool {
    rule.matches.images.is_empty()
        || family.is_some_and(|f| {
            rule.matches
                .images
                .iter()
                .any(|i| ImageFamily::from_name(i) == Some(f))
        })
}

fn collect<'a>(
    model: &'a Model,
    rule: &CustomRule,
    target: CustomTarget<'_>,
    out: &mut Vec<Candidate<'a>>,
) {
    match target {
        CustomTarget::BrokerConfig(key) => {
            for broker in &model.brokers {
                let resource = model.resource(broker.resource);
                if !kind_ok(rule, resource.map(Resource::kind))
                    || !namespace_ok(rule, resource)
                    || !family_ok(rule, Some(broker.family))
                {
                    continue;
                }
                if let Some(c) = broker_value(broker, key, resource) {
                    out.push(c);
                }
            }
        }
        CustomTarget::TopicConfig(key) => {
            for topic in &model.topics {
                let resource = model.resources.get(topic.resource);
                if !kind_ok(rule, resource.map(Resource::kind)) || !namespace_ok(rule, resource) {
                    continue;
                }
                let (value, span) = match topic.config.lookup(key) {
                    Lookup::Set(s, v) => (Some(v.to_string()), s.origin.span),
                    Lookup::Unknown => continue,
                    Lookup::Default => (None, topic.config_anchor),
                };
                out.push(Candidate {
                    value,
                    span,
                    subject: format!("{key} of topic {}", topic.name),
                    resource,
                    default_note: None,
                });
            }
        }
        CustomTarget::TopicName => {
            for topic in &model.topics {
                let resource = model.resources.get(topic.resource);
                if !kind_ok(rule, resource.map(Resource::kind)) || !namespace_ok(rule, resource) {
                    continue;
                }
                let span = resource
                    .and_then(|r| r.node.path(&["spec", "topicName"]))
                    .map_or(topic.anchor, |n| n.span);
                out.push(Candidate {
                    value: Some(topic.name.clone()),
                    span,
                    subject: "topic name".into(),
                    resource,
                    default_note: None,
                });
            }
        }
        CustomTarget::Env(name) => {
            for r in &model.resources {
                if !kind_ok(rule, Some(r.kind())) || !namespace_ok(rule, Some(r)) {
                    continue;
                }
                for container in containers(r) {
                    let family = container.text_at(&["image"]).and_then(image::family_of);
                    if !family_ok(rule, family) {
                        continue;
                    }
                    let var = container.get("env").and_then(|env| {
                        env.as_seq()
                            .iter()
                            .rev()
                            .find(|e| e.text_at(&["name"]) == Some(name))
                    });
                    let (value, span) = match var {
                        Some(v) => match v.get("value") {
                            Some(n) => (Some(n.as_text().unwrap_or("").to_string()), n.span),
                            // valueFrom: not knowable here.
                            None if v.get("valueFrom").is_some() => continue,
                            None => (Some(String::new()), v.span),
                        },
                        None => (
                            None,
                            container.get("name").map_or(container.span, |n| n.span),
                        ),
                    };
                    out.push(Candidate {
                        value,
                        span,
                        subject: format!(
                            "env {name} of container {}",
                            container.text_at(&["name"]).unwrap_or("?")
                        ),
                        resource: Some(r),
                        default_note: None,
                    });
                }
            }
        }
        CustomTarget::Field(path) => {
            for r in &model.resources {
                if !kind_ok(rule, Some(r.kind())) || !namespace_ok(rule, Some(r)) {
                    continue;
                }
                if !rule.matches.images.is_empty()
                    && !containers(r)
                        .any(|c| family_ok(rule, c.text_at(&["image"]).and_then(image::family_of)))
                {
                    continue;
                }
                let segments: Vec<&str> = path.split('.').filter(|s| !s.is_empty()).collect();
                let mut found = Vec::new();
                walk(&r.node, &segments, &mut found);
                if found.is_empty() {
                    out.push(Candidate {
                        value: None,
                        span: r.anchor(),
                        subject: path.to_string(),
                        resource: Some(r),
                        default_note: None,
                    });
                }
                for n in found {
                    out.push(Candidate {
                        value: Some(n.as_text().unwrap_or("").to_string()),
                        span: n.span,
                        subject: path.to_string(),
                        resource: Some(r),
                        default_note: None,
                    });
                }
            }
        }
    }
}

fn broker_value<'a>(
    broker: &Broker,
    key: &str,
    resource: Option<&'a Resource>,
) -> Option<Candidate<'a>> {
    let subject = key.to_string();
    match broker.config.lookup(key) {
        Lookup::Set(s, v) => Some(Candidate {
            value: Some(v.to_string()),
            span: s.origin.span,
            subject,
            resource,
            default_note: None,
        }),
        Lookup::Unknown => None,
        Lookup::Default => {
            let version = broker
                .kafka_version
                .and_then(|(a, b)| KafkaVersion::from_version_str(&format!("{a}.{b}")))
                .unwrap_or(KafkaVersion::V3_9);
            let default = kafkalint_catalog::lookup(version, Group::Broker, key)
                .and_then(|k| k.default)
                .map(str::to_string);
            let note = match &default {
                Some(d) => format!(
                    "not set in {}, so Kafka's default `{d}` applies",
                    broker.display
                ),
                None => format!("not set in {}", broker.display),
            };
            Some(Candidate {
                value: default,
                span: broker.anchor,
                subject,
                resource,
                default_note: Some(note),
            })
        }
    }
}

fn containers(r: &Resource) -> impl Iterator<Item = &Node> {
    r.pod_spec()
        .into_iter()
        .flat_map(|s| ["initContainers", "containers"].map(|k| s.get(k)))
        .flatten()
        .flat_map(|n| n.as_seq().iter())
}

fn walk<'a>(node: &'a Node, path: &[&str], out: &mut Vec<&'a Node>) {
    let Some((first, rest)) = path.split_first() else {
        if !node.is_map() && !node.is_seq() {
            out.push(node);
        }
        return;
    };
    if *first == "*" {
        for child in node.as_seq() {
            walk(child, rest, out);
        }
        for (_, v) in node.as_map() {
            walk(v, rest, out);
        }
    } else if let Ok(i) = first.parse::<usize>() {
        if let Some(child) = node.as_seq().get(i) {
            walk(child, rest, out);
        }
    } else if let Some(child) = node.get(first) {
        walk(child, rest, out);
    }
}
