use kafkalint_catalog::KafkaVersion;
use kafkalint_model::{Broker, Setting};

use super::catalog_support::{broker_versions, effective_value, parse_long, resource_at};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports replica fetcher timeouts that Kafka's startup check rejects.
    ///
    /// Using the broker's effective values (explicit, else Kafka's defaults for the version):
    /// - `replica.fetch.wait.max.ms` must not exceed `replica.lag.time.max.ms`;
    /// - `replica.fetch.wait.max.ms` must not exceed `replica.socket.timeout.ms`.
    ///
    /// ## Why is this bad?
    /// Kafka checks both at startup and refuses to start the broker when either fails. The
    /// reasons behind the checks: a follower's fetch may wait up to
    /// `replica.fetch.wait.max.ms` on a quiet partition, and a follower that has not caught
    /// up within `replica.lag.time.max.ms` is removed from the ISR, so a longer wait would
    /// shrink and expand the ISR of low-traffic topics over and over; and a socket timeout
    /// shorter than the fetch wait would cut healthy fetches off.
    ///
    /// Sources: apache/kafka `KafkaConfig` validation (`replicaFetchWaitMaxMs <=
    /// replicaLagTimeMaxMs`, `replicaFetchWaitMaxMs <= replicaSocketTimeoutMs`); defaults
    /// from the Kafka generated broker config docs (`configs-*.json`).
    ///
    /// ## Example
    /// ```properties
    /// replica.fetch.wait.max.ms=60000
    /// ```
    ///
    /// ## Fix
    /// ```properties
    /// replica.fetch.wait.max.ms=500
    /// replica.lag.time.max.ms=30000
    /// replica.socket.timeout.ms=30000
    /// ```
    pub struct ReplicationTimeouts {
        code: "CFG008",
        name: "inconsistent-replication-timeouts",
        category: Config,
        severity: Error,
    }
}

struct Ms<'a> {
    key: &'static str,
    value: i64,
    setting: Option<&'a Setting>,
}

fn ms<'a>(broker: &'a Broker, versions: &[KafkaVersion], key: &'static str) -> Option<Ms<'a>> {
    let (text, setting) = effective_value(broker, versions, key)?;
    Some(Ms {
        key,
        value: parse_long(&text)?,
        setting,
    })
}

fn describe(m: &Ms<'_>) -> String {
    let how = if m.setting.is_some() {
        ""
    } else {
        "Kafka's default "
    };
    format!("{} is {how}{} ms", m.key, m.value)
}

impl Rule for ReplicationTimeouts {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for broker in &model.brokers {
            let versions = broker_versions(broker);
            let Some(wait) = ms(broker, &versions, "replica.fetch.wait.max.ms") else {
                continue;
            };
            let limits = [
                (
                    "replica.lag.time.max.ms",
                    "followers would keep dropping out of the ISR of quiet partitions",
                ),
                (
                    "replica.socket.timeout.ms",
                    "fetches would time out while the leader is still allowed to wait",
                ),
            ];
            for (key, why) in limits {
                let Some(limit) = ms(broker, &versions, key) else {
                    continue;
                };
                if wait.value <= limit.value {
                    continue;
                }
                let (at, other) = match (wait.setting, limit.setting) {
                    (Some(w), l) => (w, l),
                    (None, Some(l)) => (l, None),
                    (None, None) => continue,
                };
                let span = at.origin.span;
                let mut f = Finding::new(
                    span,
                    format!(
                        "{} but {}: Kafka refuses to start when the fetch wait exceeds it ({why})",
                        describe(&wait),
                        describe(&limit)
                    ),
                )
                .label("the broker fails its config check")
                .help(format!("keep replica.fetch.wait.max.ms at or below {key} (Kafka's defaults: 500 and 30000)"))
                .resource(resource_at(model, span).or(broker.resource));
                if let Some(o) = other {
                    f = f.with_label(o.origin.span, format!("{key} set here"));
                }
                out.push(f);
            }
        }
    }
}
