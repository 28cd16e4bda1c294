use std::collections::HashSet;

use kafkalint_model::client::spring_property;
use kafkalint_model::{BrokerSource, Setting, Via};
use kafkalint_syntax::{properties, Node, ScalarStyle, Span};

use super::client_support::is_numeric_or_boolean;
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds `.properties` values that carry what looks like a trailing comment, such as
    /// `batch.size=524288  # 512KB`. It reads every properties source: standalone broker and
    /// client files, and every `*.properties` key of a ConfigMap (`server.properties`,
    /// `application.properties`, `consumer.properties`...), mounted or not.
    ///
    /// ## Why is this bad?
    /// In a `.properties` file `#` and `!` start a comment only as the first non-blank
    /// character of a line. Anywhere else they are part of the value, so the value of
    /// `batch.size` above is the whole text `524288  # 512KB`. Kafka (and Spring Boot,
    /// whose loader follows the same rule) then refuses to start when the key is a number or a
    /// boolean, and silently uses the odd text for strings: a topic name, a class name or a
    /// host list with a comment glued to it. (Source: `java.util.Properties.load`, as
    /// implemented by our parser; Kafka types from the Kafka 3.6–4.1 config docs,
    /// `configs-*.json`.)
    ///
    /// The finding is an error when Kafka parses the key as a number or a boolean, and a
    /// warning otherwise.
    ///
    /// ## Example
    /// ```properties
    /// spring.kafka.producer.properties.batch.size=524288  # 512KB
    /// ```
    ///
    /// ## Fix
    /// Put the comment on its own line:
    /// ```properties
    /// # 512KB
    /// spring.kafka.producer.properties.batch.size=524288
    /// ```
    pub struct PropertiesInlineComment {
        code: "CFG006",
        name: "properties-inline-comment",
        category: Config,
        severity: Error,
    }
}

/// Char offset of a `#` that follows a blank, outside double quotes: a would-be comment.
fn comment_offset(raw: &str) -> Option<usize> {
    let chars: Vec<char> = raw.chars().collect();
    let mut quotes = 0;
    for (i, c) in chars.iter().enumerate() {
        match c {
            '"' => quotes += 1,
            '#' if i > 0
                && quotes % 2 == 0
                && chars.get(i - 1).is_some_and(|p| p.is_whitespace()) =>
            {
                return Some(i);
            }
            _ => {}
        }
    }
    None
}

/// The Kafka key a properties key sets, for its type: Spring properties map to theirs.
fn kafka_key(key: &str) -> String {
    spring_property(key)
        .and_then(|k| k.key)
        .unwrap_or_else(|| key.to_string())
}

fn finding(span: Span, key: &str, value: &str, kafka: &str) -> Finding {
    let shown: String = value.chars().take(60).collect();
    let f = Finding::new(
        span,
        format!(
            "the value of {key} is `{}`: in .properties a `#` starts a comment only at the beginning of a line",
            shown.trim_end()
        ),
    )
    .help("move the comment to a line of its own");
    match is_numeric_or_boolean(kafka) {
        Some(ty) => f.label(format!(
            "part of the value: Kafka cannot parse it as {}",
            match ty {
                kafkalint_catalog::ConfigType::Boolean => "a boolean",
                _ => "a number",
            }
        )),
        None => f
            .label("part of the value, not a comment")
            .at_most_warning(),
    }
}

/// A setting from a standalone file: its value text maps one to one to the line.
fn check_setting(
    key: &str,
    kafka: &str,
    s: &Setting,
    out: &mut Vec<Finding>,
    seen: &mut HashSet<Span>,
) {
    if s.origin.via != Via::Properties {
        return;
    }
    let Some(value) = s.value.known() else { return };
    let first_line = value.lines().next().unwrap_or("");
    let Some(offset) = comment_offset(first_line) else {
        return;
    };
    let span = s.origin.span;
    // Escapes make the parsed value shorter than its text; then point at the whole value.
    let exact = span.start.line == span.end.line
        && span.end.col.saturating_sub(span.start.col) as usize == value.chars().count();
    let at = if exact { s.sub_span(offset, 1) } else { span };
    if seen.insert(at) {
        out.push(finding(at, key, value, kafka));
    }
}

/// Every entry of a properties text embedded in a ConfigMap value.
fn check_embedded(node: &Node, out: &mut Vec<Finding>, seen: &mut HashSet<Span>) {
    let text = node.as_str().unwrap_or("");
    if !text.contains('#') {
        return;
    }
    let Ok(entries) = properties::parse(text, node.span.source) else {
        return;
    };
    for e in entries {
        let Some(offset) = comment_offset(&e.raw_value) else {
            continue;
        };
        let span = if node.style() == Some(ScalarStyle::Literal) {
            let start = e.value_span.start;
            let pos = node.position_in_value(
                start.line.saturating_sub(1),
                start.col.saturating_sub(1) + offset as u32,
            );
            Span::on_line(node.span.source, pos.line, pos.col, 1)
        } else {
            node.span
        };
        if seen.insert(span) {
            out.push(finding(span, &e.key, &e.value, &kafka_key(&e.key)));
        }
    }
}

impl Rule for PropertiesInlineComment {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut seen = HashSet::new();
        for broker in &cx.model.brokers {
            if broker.source != BrokerSource::Standalone {
                continue;
            }
            for (key, s) in &broker.config.entries {
                check_setting(key, key, s, out, &mut seen);
            }
        }
        for client in cx.model.clients.iter().filter(|c| c.resource.is_none()) {
            for s in &client.settings {
                check_setting(&s.written, &s.key, &s.setting, out, &mut seen);
            }
        }
        for r in cx
            .model
            .resources
            .iter()
            .filter(|r| r.kind() == "ConfigMap")
        {
            for (k, v) in r.node.get("data").map_or(&[][..], Node::as_map) {
                if k.as_str().is_some_and(|k| k.ends_with(".properties")) {
                    check_embedded(v, out, &mut seen);
                }
            }
        }
    }
}
