use kafkalint_model::{Lookup, Via};

use super::catalog_support::resource_at;
use super::is_controller_only;
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `unclean.leader.election.enable=true` in a broker's effective config (the
    /// cluster-wide default for every topic) and in a Strimzi `KafkaTopic`'s `spec.config`.
    ///
    /// The broker-level setting is an error. A single topic that turns it on is reported as a
    /// warning: that is usually a deliberate trade of durability for availability on data
    /// that can be lost (metrics, logs), and the finding is there to make sure it is one.
    ///
    /// ## Why is this bad?
    /// When every in-sync replica of a partition is down, an unclean election makes an
    /// out-of-sync replica the leader. Everything it had not copied — including writes that
    /// were acknowledged with `acks=all` — is truncated away on the other replicas when they
    /// come back. Kafka's default (`false`) waits for an in-sync replica instead.
    ///
    /// Source: Kafka generated broker and topic config docs (`configs-*.json`:
    /// `unclean.leader.election.enable`, default false).
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   kafka:
    ///     config:
    ///       unclean.leader.election.enable: true
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// spec:
    ///   kafka:
    ///     config:
    ///       unclean.leader.election.enable: false
    /// ```
    /// and, where losing data is acceptable, enable it only on those topics.
    pub struct UncleanLeaderElection {
        code: "REP005",
        name: "unclean-leader-election",
        category: Replication,
        severity: Error,
    }
}

const KEY: &str = "unclean.leader.election.enable";

fn enabled(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("true")
}

impl Rule for UncleanLeaderElection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for broker in &model.brokers {
            if is_controller_only(broker) {
                continue;
            }
            let Lookup::Set(s, v) = broker.config.lookup(KEY) else {
                continue;
            };
            if !enabled(v) || s.origin.via == Via::ImageDefault {
                continue;
            }
            let span = s.origin.span;
            out.push(
                Finding::new(
                    span,
                    "unclean.leader.election.enable is true for the whole cluster: when all in-sync replicas of a partition are down, an out-of-sync replica becomes leader and acknowledged writes are lost",
                )
                .label("every topic may lose acknowledged data")
                .help("set unclean.leader.election.enable=false, and enable it per topic only where losing data is acceptable")
                .resource(resource_at(model, span).or(broker.resource)),
            );
        }
        for topic in &model.topics {
            let Lookup::Set(s, v) = topic.config.lookup(KEY) else {
                continue;
            };
            if !enabled(v) {
                continue;
            }
            out.push(
                Finding::new(
                    s.origin.span,
                    format!("topic {} enables unclean leader election: it may lose acknowledged writes when its in-sync replicas are down", topic.name),
                )
                .label("trades durability for availability")
                .help("remove it unless losing data on this topic is acceptable")
                .resource(Some(topic.resource))
                .at_most_warning(),
            );
        }
    }
}
