use kafkalint_catalog::Group;
use kafkalint_model::client::{ClientSetting, Role};
use kafkalint_syntax::Span;

use super::client_support::{app_clients, groups_anywhere};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds broker and topic settings in a client's config: keys that the Kafka config docs
    /// (3.6 to 4.1) list for brokers or topics but never for producers or consumers, in
    /// Spring `properties` maps (`spring.kafka.streams.properties[log.flush.interval.messages]`),
    /// client `.properties` files and client ConfigMaps. Kafka Streams' `topic.`-prefixed keys,
    /// which configure its internal topics, are allowed.
    ///
    /// ## Why is this bad?
    /// A client ignores keys it does not know: it logs them as unused and carries on. The
    /// setting does nothing where it is, while whoever wrote it believes the cluster now
    /// flushes, retains or compacts differently. (Source: key groups from the Kafka config
    /// docs, `configs-3.6.json` to `configs-4.1.json`; unused-key behaviour from apache/kafka
    /// `AbstractConfig.logUnused()`.)
    ///
    /// ## Example
    /// ```properties
    /// spring.kafka.streams.properties[log.flush.interval.messages]=100000
    /// ```
    ///
    /// ## Fix
    /// Remove it from the client. Broker settings belong in the broker config; topic settings
    /// on the topic (a `KafkaTopic`'s `spec.config`, `kafka-configs --alter`), or for Kafka
    /// Streams internal topics under the `topic.` prefix.
    pub struct BrokerKeyInClient {
        code: "CLI005",
        name: "broker-key-in-client-config",
        category: Client,
        severity: Warning,
    }
}

/// The Kafka key inside what was written: `[log.flush.interval.messages]` in a Spring map key.
fn key_span(s: &ClientSetting) -> Span {
    let span = s.key_span;
    let width = (span.end.col.saturating_sub(span.start.col)) as usize;
    match s.written.rfind(&s.key) {
        Some(byte) if span.start.line == span.end.line && width == s.written.chars().count() => {
            let offset = s.written[..byte].chars().count() as u32;
            Span::on_line(
                span.source,
                span.start.line,
                span.start.col + offset,
                s.key.chars().count() as u32,
            )
        }
        _ => span,
    }
}

impl Rule for BrokerKeyInClient {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for client in app_clients(&cx.model.clients) {
            for s in &client.settings {
                if s.first_class || s.guessed {
                    continue;
                }
                if s.role == Role::Streams && s.key.starts_with("topic.") {
                    continue;
                }
                let groups = groups_anywhere(&s.key);
                if groups.contains(&Group::Producer) || groups.contains(&Group::Consumer) {
                    continue;
                }
                let (scope, help) = if groups.contains(&Group::Broker) {
                    (
                        "a broker setting",
                        "set it in the broker config, or remove it",
                    )
                } else if groups.contains(&Group::Topic) {
                    (
                        "a topic setting",
                        if s.role == Role::Streams {
                            "set it on the topic, or prefix it with `topic.` to apply it to Kafka Streams' internal topics"
                        } else {
                            "set it on the topic (KafkaTopic spec.config or kafka-configs --alter), or remove it"
                        },
                    )
                } else {
                    continue;
                };
                let client_kind = match s.role {
                    Role::Streams | Role::StreamsConsumer | Role::StreamsProducer => {
                        "the Kafka Streams client"
                    }
                    Role::Producer => "the producer",
                    Role::Consumer => "the consumer",
                    _ => "a client",
                };
                out.push(
                    Finding::new(
                        key_span(s),
                        format!(
                            "{} is {scope}, not a client one: {client_kind} logs it as unused and ignores it",
                            s.key
                        ),
                    )
                    .label(format!("in {}", client.display))
                    .help(help)
                    .resource(client.resource),
                );
            }
        }
    }
}
