use kafkalint_model::client::View;

use super::client_support::{app_clients, effective_settings, written};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a producer whose effective `enable.idempotence` is `false` (Spring Boot
    /// `spring.kafka.producer.properties.enable.idempotence`, Kafka Streams
    /// `producer.enable.idempotence`, a client `.properties` file).
    ///
    /// ## Why is this bad?
    /// Without idempotence a producer retry after a lost response writes the message twice,
    /// and with more than one request in flight a retried batch can land after a later one,
    /// reordering a key's messages. Idempotence costs almost nothing and is Kafka's default
    /// since 3.0. (Source: `enable.idempotence` in the Kafka 3.9 producer config docs,
    /// `configs-3.9.json`.)
    ///
    /// ## Example
    /// ```properties
    /// enable.idempotence=false
    /// ```
    ///
    /// ## Fix
    /// Remove the setting (or set it to `true`) and keep `acks=all`.
    pub struct ProducerIdempotenceDisabled {
        code: "CLI003",
        name: "producer-idempotence-disabled",
        category: Client,
        severity: Warning,
    }
}

impl Rule for ProducerIdempotenceDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for client in app_clients(&cx.model.clients) {
            for (s, view) in effective_settings(
                client,
                "enable.idempotence",
                &[View::Producer, View::StreamsProducer],
            ) {
                if !s
                    .known()
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"))
                {
                    continue;
                }
                out.push(
                    Finding::new(
                        s.span(),
                        format!(
                            "{} idempotence is disabled: a retried send can write a message twice or out of order",
                            view.name()
                        ),
                    )
                    .label(format!("set by {}", written(s)))
                    .help("remove enable.idempotence=false (idempotence is Kafka's default since 3.0)")
                    .resource(client.resource),
                );
            }
        }
    }
}
