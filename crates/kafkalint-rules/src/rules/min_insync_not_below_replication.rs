use kafkalint_model::topology::{strimzi_kafka_named, strimzi_members_of};
use kafkalint_model::{Broker, Lookup, Model, Setting, Topic};
use kafkalint_syntax::Span;

use super::topology_support::{holds_no_data, int_key};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that `min.insync.replicas` stays below the replication factor it applies to:
    /// the broker's `min.insync.replicas` against `default.replication.factor` and
    /// `offsets.topic.replication.factor`, `transaction.state.log.min.isr` against
    /// `transaction.state.log.replication.factor` (Kafka's defaults count when unset), and each
    /// Strimzi `KafkaTopic`'s `spec.replicas` against its own `min.insync.replicas`, or else the
    /// cluster's (Strimzi's default is 1). Above the replication factor is an error; equal to
    /// it (with two or more replicas) is a warning.
    ///
    /// ## Why is this bad?
    /// An `acks=all` write needs `min.insync.replicas` replicas in sync. With more required
    /// than there are replicas, every such write fails with `NOT_ENOUGH_REPLICAS`: producers
    /// use `acks=all` by default, consumer groups commit offsets to `__consumer_offsets` waiting
    /// for every replica (`offsets.commit.required.acks=-1`), and the transaction coordinator
    /// writes `__transaction_state` with `transaction.state.log.min.isr`. With exactly as many
    /// required as there are replicas, a single broker restart stops those writes until it is
    /// back. (Source: Kafka 3.9 broker and producer config docs, `configs-3.9.json`:
    /// `min.insync.replicas`, `transaction.state.log.min.isr`,
    /// `offsets.commit.required.acks`, producer `acks` default `all`; `images.json` for
    /// Strimzi's default of 1.)
    ///
    /// ## Example
    /// ```properties
    /// default.replication.factor=3
    /// min.insync.replicas=3
    /// ```
    ///
    /// ## Fix
    /// ```properties
    /// default.replication.factor=3
    /// min.insync.replicas=2
    /// ```
    pub struct MinInsyncNotBelowReplication {
        code: "REP004",
        name: "min-insync-not-below-replication",
        category: Replication,
        severity: Error,
    }
}

impl Rule for MinInsyncNotBelowReplication {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            if holds_no_data(cx.model, broker) {
                continue;
            }
            check_min_insync(broker, out);
            check_transaction_log(broker, out);
        }
        for topic in &cx.model.topics {
            check_topic(cx.model, topic, out);
        }
    }
}

/// The broker's `min.insync.replicas` against the factors of the topics it applies to.
fn check_min_insync(broker: &Broker, out: &mut Vec<Finding>) {
    let Some((m, Some(m_setting))) = int_key(broker, "min.insync.replicas", 1) else {
        return;
    };
    let mut above = Vec::new();
    let mut equal = Vec::new();
    let mut labels: Vec<(Span, String)> = Vec::new();
    for (key, default, what) in [
        (
            "default.replication.factor",
            1,
            "acks=all writes to topics created with the default",
        ),
        (
            "offsets.topic.replication.factor",
            3,
            "consumer offset commits",
        ),
    ] {
        let Some((rf, rf_setting)) = int_key(broker, key, default) else {
            continue;
        };
        if rf < 1 {
            continue;
        }
        let shown = match rf_setting {
            Some(s) => {
                labels.push((s.origin.span, format!("{key} is {rf}")));
                format!("{key} ({rf})")
            }
            None => format!("{key} (Kafka's default {rf})"),
        };
        if m > rf {
            above.push(format!("{shown}: {what} fail"));
        } else if m == rf && rf >= 2 {
            equal.push(format!("{shown}: one broker down stops {what}"));
        }
    }
    let (list, relation, soft) = if !above.is_empty() {
        (above, "above", false)
    } else if !equal.is_empty() {
        (equal, "equal to", true)
    } else {
        return;
    };
    let mut f = Finding::new(
        m_setting.origin.span,
        format!(
            "min.insync.replicas is {m}, {relation} {}",
            list.join("; and ")
        ),
    )
    .key("min.insync.replicas")
    .label(format!("{m} in-sync replicas required"))
    .help("keep min.insync.replicas below the replication factor, e.g. 2 with 3 replicas")
    .resource(broker.resource);
    for (span, text) in labels {
        f = f.with_label(span, text);
    }
    if soft {
        f = f.at_most_warning();
    }
    out.push(f);
}

fn check_transaction_log(broker: &Broker, out: &mut Vec<Finding>) {
    let Some((isr, isr_setting)) = int_key(broker, "transaction.state.log.min.isr", 2) else {
        return;
    };
    let Some((rf, rf_setting)) = int_key(broker, "transaction.state.log.replication.factor", 3)
    else {
        return;
    };
    if rf < 1 || isr < rf || (isr == rf && rf < 2) {
        return;
    }
    let describe = |key: &str, v: i64, s: Option<&Setting>| match s {
        Some(_) => format!("{key} is {v}"),
        None => format!("{key} is Kafka's default {v}"),
    };
    let (span, other) = match (isr_setting, rf_setting) {
        (Some(s), other) => (s.origin.span, other.map(|o| o.origin.span)),
        (None, Some(s)) => (s.origin.span, None),
        (None, None) => return,
    };
    let consequence = if isr > rf {
        "every transactional write fails"
    } else {
        "one broker down stops every transaction"
    };
    let mut f = Finding::new(
        span,
        format!(
            "{} and {}: {consequence}",
            describe("transaction.state.log.min.isr", isr, isr_setting),
            describe("transaction.state.log.replication.factor", rf, rf_setting)
        ),
    )
    .key("transaction.state.log.min.isr")
    .label(if isr > rf {
        "more in-sync replicas than replicas"
    } else {
        "as many in-sync replicas as replicas"
    })
    .help("keep transaction.state.log.min.isr below transaction.state.log.replication.factor")
    .resource(broker.resource);
    if let Some(o) = other {
        f = f.with_label(o, "replication factor");
    }
    if isr == rf {
        f = f.at_most_warning();
    }
    out.push(f);
}

/// `min.insync.replicas` of the Strimzi cluster a topic names, with where it is set.
fn cluster_min_insync<'m>(model: &'m Model, topic: &Topic) -> Option<(i64, Option<&'m Setting>)> {
    let name = topic.cluster.as_deref()?;
    let from = model.resources.get(topic.resource)?;
    let kafka = strimzi_kafka_named(model, name, from)?;
    let member = strimzi_members_of(model, kafka).next()?;
    // Strimzi forces 1 when the CR leaves it out.
    int_key(member, "min.insync.replicas", 1)
}

fn check_topic(model: &Model, topic: &Topic, out: &mut Vec<Finding>) {
    let Some((rf, rf_span)) = topic.replicas else {
        return;
    };
    if rf < 1 {
        return;
    }
    let (m, span, from_topic, cluster_span) = match topic.config.lookup("min.insync.replicas") {
        Lookup::Set(s, v) => {
            let Ok(m) = v.trim().parse::<i64>() else {
                return;
            };
            (m, s.origin.span, true, None)
        }
        Lookup::Unknown => return,
        Lookup::Default => {
            let Some((m, s)) = cluster_min_insync(model, topic) else {
                return;
            };
            (m, rf_span, false, s.map(|s| s.origin.span))
        }
    };
    if m < rf || (m == rf && rf < 2) {
        return;
    }
    let whose = if from_topic {
        "its min.insync.replicas".to_string()
    } else {
        "its cluster's min.insync.replicas".to_string()
    };
    let consequence = if m > rf {
        "every acks=all write to it fails"
    } else {
        "one broker down stops acks=all writes to it"
    };
    let mut f = Finding::new(
        span,
        format!(
            "topic {} has {rf} replica(s) and {whose} is {m}: {consequence}",
            topic.name
        ),
    )
    .key("min.insync.replicas")
    .label(if from_topic {
        format!("{m} in-sync replicas required")
    } else {
        format!("{rf} replica(s)")
    })
    .help("keep min.insync.replicas below spec.replicas, e.g. 2 with 3 replicas")
    .resource(Some(topic.resource));
    if from_topic {
        f = f.with_label(rf_span, format!("{rf} replica(s)"));
    } else if let Some(s) = cluster_span {
        f = f.with_label(s, format!("min.insync.replicas {m}"));
    }
    if m == rf {
        f = f.at_most_warning();
    }
    out.push(f);
}
