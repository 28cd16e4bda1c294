use kafkalint_model::client::View;

use super::client_support::{app_clients, effective_settings, written};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a consumer that explicitly sets `enable.auto.commit=true` (Spring Boot
    /// `spring.kafka.consumer.enable-auto-commit`, its `properties` maps, a client
    /// `.properties` file). Kafka Streams is left alone: it manages commits itself.
    ///
    /// ## Why is this bad?
    /// With auto-commit the consumer commits, on a timer inside `poll()`, the offsets of the
    /// records the previous `poll()` returned. That is at-least-once only when every record
    /// is fully processed before the next `poll()`. When processing is handed to other
    /// threads or coroutines, as in a consumer that launched a coroutine per record, offsets
    /// are committed for work still in flight: a crash or rebalance loses those messages,
    /// and nothing limits how much is buffered. Spring Kafka's listener container commits
    /// after the listener returns when the key is unset; setting it to `true` hands commits
    /// back to the timer. The rule is informational because a linter cannot see how records
    /// are processed. (Source: `enable.auto.commit` and `auto.commit.interval.ms` in the Kafka
    /// 3.9 consumer config docs, `configs-3.9.json`.)
    ///
    /// ## Example
    /// ```yaml
    /// - name: SPRING_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT
    ///   value: "true"
    /// ```
    ///
    /// ## Fix
    /// Set it to `false` and commit after processing (Spring Kafka: remove the setting and
    /// keep the container's default ack mode).
    pub struct ConsumerAutoCommit {
        code: "CLI004",
        name: "consumer-auto-commit",
        category: Client,
        severity: Info,
    }
}

impl Rule for ConsumerAutoCommit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for client in app_clients(&cx.model.clients) {
            for (s, _) in effective_settings(client, "enable.auto.commit", &[View::Consumer]) {
                if !s
                    .known()
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
                {
                    continue;
                }
                out.push(
                    Finding::new(
                        s.span(),
                        "consumer auto-commit is on: offsets are committed on a timer, whether or not the records were processed",
                    )
                    .label(format!("set by {}", written(s)))
                    .help("commit after processing instead (enable.auto.commit=false; in Spring Kafka, leave it unset)")
                    .resource(client.resource),
                );
            }
        }
    }
}
