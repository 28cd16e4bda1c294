use kafkalint_model::client::View;

use super::client_support::{app_clients, effective_settings, written};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks the effective producer `acks` of each Kafka client: Spring Boot
    /// `spring.kafka.producer.acks` and its `properties` maps, Kafka Streams
    /// `producer.acks`, a plain client `.properties` file. It reports `acks=1` and `acks=0`.
    ///
    /// ## Why is this bad?
    /// With `acks=1` the partition leader confirms a write before any follower has it; when
    /// that broker fails, messages the producer was told are safe are gone. With `acks=0` the
    /// producer does not wait at all. Only `acks=all` (`-1`) makes `min.insync.replicas`
    /// count, and it is Kafka's default since 3.0. (Source: `acks` in the Kafka 3.9 producer
    /// config docs, `configs-3.9.json`.)
    ///
    /// ## Example
    /// ```properties
    /// spring.kafka.producer.acks=1
    /// ```
    ///
    /// ## Fix
    /// ```properties
    /// spring.kafka.producer.acks=all
    /// ```
    /// or remove the setting to take Kafka's default.
    pub struct ProducerAcksNotAll {
        code: "CLI002",
        name: "weak-producer-acks",
        category: Client,
        severity: Warning,
    }
}

impl Rule for ProducerAcksNotAll {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for client in app_clients(&cx.model.clients) {
            for (s, view) in
                effective_settings(client, "acks", &[View::Producer, View::StreamsProducer])
            {
                let Some(v) = s.known() else { continue };
                let why = match v.trim() {
                    "1" => "the leader confirms a write before any follower has it, so a leader failure loses acknowledged messages",
                    "0" => "the producer does not wait for any broker, so failed writes go unnoticed",
                    _ => continue,
                };
                out.push(
                    Finding::new(
                        s.span(),
                        format!("{} acks is {}: {why}", view.name(), v.trim()),
                    )
                    .label(format!("set by {}", written(s)))
                    .help("use acks=all (Kafka's default since 3.0), together with min.insync.replicas >= 2")
                    .resource(client.resource),
                );
            }
        }
    }
}
