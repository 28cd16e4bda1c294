use std::collections::{BTreeSet, HashMap};

use kafkalint_model::client::{Client, ClientSetting};
use kafkalint_model::image::split_image;
use kafkalint_model::Model;

use super::client_support::{app_clients, is_placeholder};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds two different workloads (Deployments, StatefulSets, Jobs...) that join the same
    /// Kafka consumer group: the same `group.id` (Spring `spring.kafka.consumer.group-id`,
    /// Spring Cloud Stream `group`, a `KAFKA_GROUP_ID`/`*_CONSUMER_GROUP`-style env var) or
    /// Kafka Streams `application.id`. It reports at each group id, with a label at the other.
    ///
    /// The finding is an error when both workloads name the same topic (env vars ending in
    /// `TOPIC`/`TOPICS`, Spring Cloud Stream destinations, the topic of a KEDA trigger
    /// scaling the workload), and a warning when the topics of either side are not in the
    /// input. Workloads that name only different topics are left alone: the group then
    /// rebalances more often, but each topic still reaches its reader. Workloads running
    /// the same image are taken to be copies of one program (blue/green, per-zone splits);
    /// workloads in different namespaces, or whose bootstrap servers point at different
    /// hosts, to run against different environments or clusters.
    ///
    /// ## Why is this bad?
    /// Kafka gives each partition of a topic to exactly one member of a group. When a second
    /// program joins an existing group on the same topic, the partitions are split between the
    /// two programs: each sees only part of the messages, and with a single partition one of
    /// them gets nothing at all. This is how a webhook consumer, deployed with a group id
    /// copied from the coupon consumer, silently stopped coupon and points payouts. (Sources:
    /// the Apache Kafka documentation's introduction, on consumer groups: each partition is
    /// consumed by exactly one consumer of a group; `group.id` in the Kafka 3.9 consumer
    /// config docs, `configs-3.9.json`; the incident: a Korean consumer post-mortem among the
    /// project's seed reports.)
    ///
    /// ## Example
    /// ```yaml
    /// # coupon-consumer Deployment
    /// - name: SPRING_KAFKA_CONSUMER_GROUP_ID
    ///   value: member-signup
    /// # webhook-consumer Deployment, copied from it
    /// - name: SPRING_KAFKA_CONSUMER_GROUP_ID
    ///   value: member-signup
    /// ```
    ///
    /// ## Fix
    /// Give every program its own group id, e.g. `member-signup-webhook`. Only replicas of
    /// one program should share a group.
    pub struct SharedConsumerGroup {
        code: "CLI001",
        name: "shared-consumer-group",
        category: Client,
        severity: Error,
    }
}

/// A workload's identity: kind, name, namespace.
fn identity(model: &Model, c: &Client) -> Option<(String, String, Option<String>)> {
    let r = model.resource(c.resource)?;
    Some((
        r.kind().to_string(),
        r.id.name.clone(),
        r.id.namespace.clone(),
    ))
}

fn repository(image: &str) -> String {
    split_image(image).repository
}

/// First DNS label of each bootstrap host: `kafka-0.kafka.ns.svc:9092` gives `kafka-0`.
fn hosts(c: &Client) -> Option<BTreeSet<String>> {
    let v = c.bootstrap()?.known()?;
    if is_placeholder(v) {
        return None;
    }
    let set: BTreeSet<String> = v
        .split(',')
        .filter_map(|h| {
            let h = h.trim();
            let h = h.rsplit("://").next().unwrap_or(h);
            let host = h.split(':').next()?.split('.').next()?;
            (!host.is_empty()).then(|| host.to_ascii_lowercase())
        })
        .collect();
    (!set.is_empty()).then_some(set)
}

fn consumed(c: &Client) -> BTreeSet<&str> {
    c.consumed_topics().map(|t| t.name.as_str()).collect()
}

struct Other<'m> {
    client: &'m Client,
    group: &'m ClientSetting,
    shared_topic: Option<String>,
}

impl Rule for SharedConsumerGroup {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let clients: Vec<&Client> = app_clients(&model.clients)
            .filter(|c| c.resource.is_some())
            .collect();
        let ids: Vec<_> = clients.iter().map(|c| identity(model, c)).collect();
        // Clients by the group ids they carry, in input order: only these can share a group,
        // so each client is compared with its few namesakes, not with every client.
        let mut by_group: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, c) in clients.iter().enumerate() {
            for value in c.group_ids().into_iter().filter_map(ClientSetting::known) {
                let members = by_group.entry(value).or_default();
                if members.last() != Some(&i) {
                    members.push(i);
                }
            }
        }
        for (a, id_a) in clients.iter().zip(&ids) {
            let Some(id_a) = id_a else {
                continue;
            };
            for group in a.group_ids() {
                let Some(value) = group.known() else { continue };
                if is_placeholder(value) {
                    continue;
                }
                let mut others: Vec<Other> = Vec::new();
                for &i in by_group.get(value).map_or(&[][..], Vec::as_slice) {
                    let (Some(b), Some(Some(id_b))) = (clients.get(i), ids.get(i)) else {
                        continue;
                    };
                    // The same workload, or one rendered by several overlays.
                    if id_a.0 == id_b.0 && id_a.1 == id_b.1 {
                        continue;
                    }
                    if let (Some(na), Some(nb)) = (&id_a.2, &id_b.2) {
                        if na != nb {
                            // Different namespaces may still share a cluster, but they are
                            // as often different environments of one app.
                            continue;
                        }
                    }
                    if let (Some(da), Some(db)) = (&a.dir, &b.dir) {
                        if da != db && (id_a.2.is_none() || id_b.2.is_none()) {
                            continue;
                        }
                    }
                    if let (Some(ia), Some(ib)) = (&a.image, &b.image) {
                        if repository(ia) == repository(ib) {
                            continue;
                        }
                    }
                    if let (Some(ha), Some(hb)) = (hosts(a), hosts(b)) {
                        if ha.is_disjoint(&hb) {
                            continue;
                        }
                    }
                    let Some(other_group) =
                        b.group_ids().into_iter().find(|g| g.known() == Some(value))
                    else {
                        continue;
                    };
                    let (ta, tb) = (consumed(a), consumed(b));
                    let shared_topic = ta.intersection(&tb).next().map(|t| t.to_string());
                    if !ta.is_empty() && !tb.is_empty() && shared_topic.is_none() {
                        continue;
                    }
                    others.push(Other {
                        client: b,
                        group: other_group,
                        shared_topic,
                    });
                }
                let Some(first) = others.first() else {
                    continue;
                };
                let name_of = |c: &Client| {
                    model
                        .resource(c.resource)
                        .map_or_else(|| c.display.clone(), |r| r.display())
                };
                let shared = others
                    .iter()
                    .find_map(|o| o.shared_topic.clone().map(|t| (o, t)));
                let mut f = match &shared {
                    Some((o, topic)) => Finding::new(
                        group.span(),
                        format!(
                            "consumer group `{value}` is also joined by {}, which reads the same topic {topic}: Kafka hands each partition to one member of the group, so each workload gets only part of the messages (with one partition, one of them gets none)",
                            name_of(o.client)
                        ),
                    ),
                    None => Finding::new(
                        group.span(),
                        format!(
                            "consumer group `{value}` is also joined by {}: if both read the same topic, each gets only part of its messages",
                            name_of(first.client)
                        ),
                    )
                    .at_most_warning(),
                };
                f = f
                    .label(format!("group id of {}", name_of(a)))
                    .help("give each program its own group id; only replicas of one program should share a group")
                    .resource(a.resource);
                for o in others.iter().take(3) {
                    f = f.with_label(
                        o.group.span(),
                        format!("same group id in {}", name_of(o.client)),
                    );
                }
                out.push(f);
            }
        }
    }
}
