//! Facts derived from the whole input rather than one broker: which broker workloads form one
//! cluster, how many brokers and controllers it has, the KRaft roles of a node, the
//! PodDisruptionBudgets that select a workload's pods and whether its pods are spread over
//! nodes.
//!
//! Every answer is `None` when the input does not say for sure: rules stay silent then.

use std::collections::HashMap;

use kafkalint_syntax::{Node, SourceId};

use crate::{Broker, BrokerSource, Lookup, Model, Resource};

/// KRaft roles of a node (`process.roles`, or a Strimzi node pool's `spec.roles`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Roles {
    pub broker: bool,
    pub controller: bool,
}

impl Roles {
    /// Parse a `process.roles` value; `None` for anything Kafka would reject.
    pub fn parse(text: &str) -> Option<Roles> {
        let mut roles = Roles {
            broker: false,
            controller: false,
        };
        for part in text.split(',').map(str::trim) {
            match part {
                "broker" => roles.broker = true,
                "controller" => roles.controller = true,
                _ => return None,
            }
        }
        (roles.broker || roles.controller).then_some(roles)
    }
}

/// The roles a broker node runs with. ZooKeeper-mode brokers (no `process.roles`, a
/// `zookeeper.connect`) are brokers only.
pub fn roles(model: &Model, broker: &Broker) -> Option<Roles> {
    if let BrokerSource::Strimzi { pool } = broker.source {
        return match pool {
            None => Some(Roles {
                broker: true,
                controller: false,
            }),
            Some(p) => strimzi_pool_roles(model.resources.get(p)?),
        };
    }
    match broker.config.lookup("process.roles") {
        Lookup::Set(_, v) => Roles::parse(v),
        Lookup::Unknown => None,
        Lookup::Default => broker
            .config
            .entries
            .contains_key("zookeeper.connect")
            .then_some(Roles {
                broker: true,
                controller: false,
            }),
    }
}

fn strimzi_pool_roles(pool: &Resource) -> Option<Roles> {
    let list = pool.node.path(&["spec", "roles"])?;
    let mut roles = Roles {
        broker: false,
        controller: false,
    };
    for r in list.as_seq() {
        match r.as_text()? {
            "broker" => roles.broker = true,
            "controller" => roles.controller = true,
            _ => return None,
        }
    }
    (roles.broker || roles.controller).then_some(roles)
}

/// How many pods a broker workload runs. A missing `spec.replicas` is Kubernetes' default of
/// one; a DaemonSet, a templated value or a standalone file is unknown.
pub fn pod_count(model: &Model, broker: &Broker) -> Option<u32> {
    match broker.source {
        BrokerSource::Workload { .. } => {
            let r = model.resource(broker.resource)?;
            workload_pod_count(r)
        }
        BrokerSource::Strimzi { pool: None } => {
            let r = model.resource(broker.resource)?;
            if strimzi_uses_pools(r) {
                return None;
            }
            broker.replicas.map(|(n, _)| n)
        }
        BrokerSource::Strimzi { pool: Some(_) } => broker.replicas.map(|(n, _)| n),
        _ => None,
    }
}

/// Pods of a Pod, Deployment, StatefulSet or ReplicaSet.
pub fn workload_pod_count(r: &Resource) -> Option<u32> {
    match r.kind() {
        "Pod" => Some(1),
        "Deployment" | "StatefulSet" | "ReplicaSet" => match r.node.path(&["spec", "replicas"]) {
            None => Some(1),
            Some(n) => n.as_i64().and_then(|v| u32::try_from(v).ok()),
        },
        _ => None,
    }
}

/// What ties broker workloads into one cluster: the quorum they join or the ZooKeeper they use.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Link {
    /// Every address is the pod's own (`localhost`): each pod is a cluster of its own.
    PodLocal,
    Shared(String),
    Unknown,
    Absent,
}

fn link(broker: &Broker) -> Link {
    for key in [
        "controller.quorum.voters",
        "controller.quorum.bootstrap.servers",
        "zookeeper.connect",
    ] {
        match broker.config.lookup(key) {
            Lookup::Set(_, v) => {
                let v = v.trim();
                if v.contains('$') {
                    return Link::Unknown;
                }
                return if is_pod_local(v) {
                    Link::PodLocal
                } else {
                    Link::Shared(v.to_string())
                };
            }
            Lookup::Unknown => return Link::Unknown,
            Lookup::Default => {}
        }
    }
    if broker.config.open.is_some() {
        Link::Unknown
    } else {
        Link::Absent
    }
}

fn is_pod_local(addresses: &str) -> bool {
    let hosts: Vec<&str> = addresses
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            let a = a.rsplit_once('@').map_or(a, |(_, addr)| addr);
            let a = a.split('/').next().unwrap_or(a);
            a.rsplit_once(':').map_or(a, |(host, _)| host)
        })
        .collect();
    !hosts.is_empty()
        && hosts
            .iter()
            .all(|h| matches!(*h, "localhost" | "127.0.0.1" | "[::1]" | "::1"))
}

/// The broker nodes of one cluster, as far as the input shows them.
#[derive(Debug)]
pub struct Cluster<'m> {
    /// Broker entries of the model in the cluster (one per workload or node pool).
    pub members: Vec<&'m Broker>,
    /// Each pod is a cluster of its own (all quorum or ZooKeeper addresses are `localhost`).
    pub pod_local: bool,
    /// False when another workload in the input may belong to the cluster too.
    pub complete: bool,
}

/// The cluster a broker belongs to.
///
/// Workloads are one cluster when they are in the same file and namespace and name the same
/// `controller.quorum.voters`, `controller.quorum.bootstrap.servers` or `zookeeper.connect`.
/// The answer is incomplete when a workload elsewhere names the same quorum, when a
/// neighbour's quorum is unknown, or when the same neighbour appears twice (two kustomize
/// overlays rendering one base). Strimzi node pools are one cluster with their `Kafka`.
pub fn cluster_of<'m>(model: &'m Model, broker: &'m Broker) -> Cluster<'m> {
    match broker.source {
        BrokerSource::Strimzi { .. } => strimzi_cluster(model, broker),
        BrokerSource::Workload { .. } | BrokerSource::Standalone => workload_cluster(model, broker),
        _ => Cluster {
            members: vec![broker],
            pod_local: false,
            complete: false,
        },
    }
}

/// Cluster membership facts for every broker, computed once per model: each broker's cluster
/// is asked for by many rules, and comparing it with every other broker each time is
/// quadratic in the input.
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    links: Vec<Link>,
    /// Workload brokers by the file of their resource, in model order.
    workloads_by_file: HashMap<SourceId, Vec<usize>>,
    /// Workload brokers by namespace and the quorum or ZooKeeper they name.
    workloads_by_link: HashMap<(Option<String>, String), Vec<usize>>,
    /// The Strimzi `Kafka` of each broker.
    strimzi_kafka: Vec<Option<usize>>,
    /// Strimzi broker entries by their `Kafka`, in model order.
    strimzi_members: HashMap<usize, Vec<usize>>,
    /// Strimzi broker entries by the cluster name they carry (the `Kafka`'s name, or a node
    /// pool's `strimzi.io/cluster` label).
    strimzi_by_name: HashMap<String, Vec<usize>>,
    /// Strimzi node pools (resource indexes) by the `Kafka` they belong to, in input order.
    pools_by_kafka: HashMap<usize, Vec<usize>>,
}

impl Index {
    pub(crate) fn build(model: &Model) -> Index {
        let mut index = Index {
            links: model.brokers.iter().map(link).collect(),
            ..Index::default()
        };
        for &i in model.indexes_of_kind("KafkaNodePool") {
            let Some(p) = model.resources.get(i) else {
                continue;
            };
            if p.group() != "kafka.strimzi.io" {
                continue;
            }
            if let Some(k) = p
                .label("strimzi.io/cluster")
                .and_then(|name| strimzi_kafka_named(model, name, p))
            {
                index.pools_by_kafka.entry(k).or_default().push(i);
            }
        }
        for (i, b) in model.brokers.iter().enumerate() {
            let kafka = match b.source {
                BrokerSource::Strimzi { .. } => strimzi_kafka_of(model, b),
                _ => None,
            };
            index.strimzi_kafka.push(kafka);
            if let Some(k) = kafka {
                index.strimzi_members.entry(k).or_default().push(i);
            }
            if let (BrokerSource::Strimzi { .. }, Some(r)) = (&b.source, model.resource(b.resource))
            {
                let name = match r.kind() {
                    "KafkaNodePool" => r.label("strimzi.io/cluster"),
                    _ => Some(r.id.name.as_str()),
                };
                if let Some(name) = name {
                    index
                        .strimzi_by_name
                        .entry(name.to_string())
                        .or_default()
                        .push(i);
                }
            }
            if !matches!(b.source, BrokerSource::Workload { .. }) {
                continue;
            }
            let Some(r) = model.resource(b.resource) else {
                continue;
            };
            index.workloads_by_file.entry(r.file).or_default().push(i);
            if let Some(Link::Shared(v)) = index.links.get(i) {
                index
                    .workloads_by_link
                    .entry((r.id.namespace.clone(), v.clone()))
                    .or_default()
                    .push(i);
            }
        }
        index
    }
}

/// Strimzi broker entries whose `Kafka` is named `cluster` (by name only: the caller checks
/// the namespace), in model order.
pub fn strimzi_brokers_named<'m>(
    model: &'m Model,
    cluster: &str,
) -> impl Iterator<Item = &'m Broker> {
    model
        .topology()
        .strimzi_by_name
        .get(cluster)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|&i| model.brokers.get(i))
}

/// The position of `broker` in `model.brokers`, when it is one of them.
fn broker_index(model: &Model, broker: &Broker) -> Option<usize> {
    let size = std::mem::size_of::<Broker>().max(1);
    let offset = (broker as *const Broker as usize).checked_sub(model.brokers.as_ptr() as usize)?;
    let i = offset / size;
    model
        .brokers
        .get(i)
        .filter(|b| std::ptr::eq(*b, broker))
        .map(|_| i)
}

fn workload_cluster<'m>(model: &'m Model, broker: &'m Broker) -> Cluster<'m> {
    let alone = |pod_local: bool, complete: bool| Cluster {
        members: vec![broker],
        pod_local,
        complete,
    };
    let index = model.topology();
    // The index has every broker's link already; parsing it again cost more than the rest.
    let computed;
    let own_link = match broker_index(model, broker).and_then(|i| index.links.get(i)) {
        Some(l) => l,
        None => {
            computed = link(broker);
            &computed
        }
    };
    if *own_link == Link::PodLocal {
        return alone(true, true);
    }
    let Some(own) = model.resource(broker.resource) else {
        return alone(false, false);
    };
    let mut members = vec![broker];
    let mut complete = true;
    let mut seen_ids = vec![&own.id];
    let others = |indexes: Option<&'m Vec<usize>>| {
        indexes
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&i| Some((i, model.brokers.get(i)?)))
            .filter(|(_, other)| !std::ptr::eq(*other, broker))
            .filter_map(|(i, other)| Some((i, other, model.resource(other.resource)?)))
            // The same object again is another rendering of it, not another member.
            .filter(|(.., r)| r.id != own.id && r.id.namespace == own.id.namespace)
    };
    if let Link::Shared(v) = own_link {
        let key = (own.id.namespace.clone(), v.clone());
        if others(index.workloads_by_link.get(&key)).any(|(.., r)| r.file != own.file) {
            complete = false;
        }
    }
    let unknown = Link::Unknown;
    for (i, other, r) in others(index.workloads_by_file.get(&own.file)) {
        let other_link = index.links.get(i).unwrap_or(&unknown);
        match (own_link, other_link) {
            (_, Link::PodLocal) => {}
            (Link::Unknown, _) | (_, Link::Unknown) => complete = false,
            (a, b) if a == b => {
                if seen_ids.contains(&&r.id) {
                    complete = false;
                } else {
                    seen_ids.push(&r.id);
                    members.push(other);
                }
            }
            _ => {}
        }
    }
    Cluster {
        members,
        pod_local: false,
        complete,
    }
}

fn strimzi_cluster<'m>(model: &'m Model, broker: &'m Broker) -> Cluster<'m> {
    let index = model.topology();
    let kafka = match broker_index(model, broker) {
        Some(i) => index.strimzi_kafka.get(i).copied().flatten(),
        None => strimzi_kafka_of(model, broker),
    };
    let Some(kafka) = kafka else {
        return Cluster {
            members: vec![broker],
            pod_local: false,
            complete: false,
        };
    };
    let mut members: Vec<&Broker> = Vec::new();
    for b in index
        .strimzi_members
        .get(&kafka)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|&i| model.brokers.get(i))
    {
        if !members.iter().any(|m| m.resource == b.resource) {
            members.push(b);
        }
    }
    let complete = match model.resources.get(kafka) {
        Some(k) => {
            let pools = strimzi_pools(model, kafka);
            // Pools the operator needs but the input does not hold.
            !(strimzi_uses_pools(k) && pools.is_empty())
                && pools
                    .iter()
                    .all(|p| members.iter().any(|m| m.resource == Some(*p)))
        }
        None => false,
    };
    Cluster {
        members,
        pod_local: false,
        complete,
    }
}

/// Whether a Strimzi `Kafka` runs its nodes from `KafkaNodePool`s.
pub fn strimzi_uses_pools(kafka: &Resource) -> bool {
    kafka
        .node
        .path(&["metadata", "annotations", "strimzi.io/node-pools"])
        .and_then(Node::as_text)
        == Some("enabled")
}

/// Index of the Strimzi `Kafka` named `name` a resource in `from` refers to: the one in the
/// same file, else the only one in the input.
pub fn strimzi_kafka_named(model: &Model, name: &str, from: &Resource) -> Option<usize> {
    let is_candidate = |r: &Resource| {
        r.kind() == "Kafka"
            && r.group() == "kafka.strimzi.io"
            && r.id.name == name
            && r.same_namespace(&from.id.namespace)
    };
    let mut same_file = model
        .resources_in(from.file)
        .iter()
        .copied()
        .filter(|&i| model.resources.get(i).is_some_and(is_candidate));
    match (same_file.next(), same_file.next()) {
        (Some(one), None) => return Some(one),
        (Some(_), Some(_)) => return None,
        _ => {}
    }
    let mut candidates = model
        .strimzi_kafkas_named(name)
        .iter()
        .copied()
        .filter(|&i| model.resources.get(i).is_some_and(is_candidate));
    match (candidates.next(), candidates.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The Strimzi `Kafka` a Strimzi broker entry belongs to. A node pool is checked to carry that
/// `Kafka`'s config (the model may pair a pool with a same-named cluster in another file).
pub fn strimzi_kafka_of(model: &Model, broker: &Broker) -> Option<usize> {
    let BrokerSource::Strimzi { pool } = broker.source else {
        return None;
    };
    let Some(p) = pool else {
        return broker.resource;
    };
    let pool_res = model.resources.get(p)?;
    let name = pool_res.label("strimzi.io/cluster")?;
    let kafka = strimzi_kafka_named(model, name, pool_res)?;
    let kafka_file = model.resources.get(kafka)?.file;
    broker
        .config
        .entries
        .values()
        .all(|s| s.origin.span.source == kafka_file)
        .then_some(kafka)
}

/// The Strimzi broker entries of a `Kafka` (those [`strimzi_kafka_of`] gives it), in model
/// order, from the index rather than a scan of every broker.
pub fn strimzi_members_of(model: &Model, kafka: usize) -> impl Iterator<Item = &Broker> {
    model
        .topology()
        .strimzi_members
        .get(&kafka)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|&i| model.brokers.get(i))
}

/// The `KafkaNodePool`s of a Strimzi `Kafka` (by index into the model's resources).
pub fn strimzi_pools(model: &Model, kafka: usize) -> Vec<usize> {
    model
        .topology()
        .pools_by_kafka
        .get(&kafka)
        .cloned()
        .unwrap_or_default()
}

/// Brokers (nodes with the broker role) in the broker's cluster, when the input shows them all.
pub fn broker_count(model: &Model, broker: &Broker) -> Option<u32> {
    count_role(model, broker, |r| r.broker)
}

/// Controllers (nodes with the controller role) in the broker's cluster, when known.
pub fn controller_count(model: &Model, broker: &Broker) -> Option<u32> {
    count_role(model, broker, |r| r.controller)
}

fn count_role(model: &Model, broker: &Broker, wanted: impl Fn(Roles) -> bool) -> Option<u32> {
    let cluster = cluster_of(model, broker);
    if !cluster.complete {
        return None;
    }
    if cluster.pod_local {
        return Some(u32::from(wanted(roles(model, broker)?)));
    }
    let mut total: u32 = 0;
    for m in &cluster.members {
        if wanted(roles(model, m)?) {
            total = total.checked_add(pod_count(model, m)?)?;
        }
    }
    Some(total)
}

/// Labels of the pods a workload creates (`spec.template.metadata.labels`, or a Pod's own).
pub fn pod_labels(r: &Resource) -> Vec<(&str, &str)> {
    let labels = match r.kind() {
        "Pod" => r.node.path(&["metadata", "labels"]),
        _ => r.node.path(&["spec", "template", "metadata", "labels"]),
    };
    labels
        .map_or(&[][..], Node::as_map)
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?, v.as_str()?)))
        .collect()
}

/// Whether a label selector (`matchLabels`, `matchExpressions`) selects pods with `labels`;
/// `None` when the selector cannot be read.
pub fn selector_matches(selector: &Node, labels: &[(&str, &str)]) -> Option<bool> {
    if !selector.is_map() {
        return None;
    }
    let get = |key: &str| labels.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    for (k, v) in selector.get("matchLabels").map_or(&[][..], Node::as_map) {
        if get(k.as_str()?) != Some(v.as_str()?) {
            return Some(false);
        }
    }
    for e in selector
        .get("matchExpressions")
        .map_or(&[][..], Node::as_seq)
    {
        let key = e.text_at(&["key"])?;
        let values: Vec<&str> = e
            .get("values")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let have = get(key);
        let ok = match e.text_at(&["operator"])? {
            "In" => have.is_some_and(|v| values.contains(&v)),
            "NotIn" => have.is_none_or(|v| !values.contains(&v)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => return None,
        };
        if !ok {
            return Some(false);
        }
    }
    Some(true)
}

/// PodDisruptionBudgets in the workload's namespace whose selector selects its pods.
pub fn pdbs_selecting<'m>(model: &'m Model, workload: &Resource) -> Vec<&'m Resource> {
    let labels = pod_labels(workload);
    model
        .selectors()
        .pdbs
        .candidates(&labels)
        .into_iter()
        .filter_map(|i| model.resources.get(i))
        .filter(|r| r.same_namespace(&workload.id.namespace))
        .filter(|r| {
            r.node
                .path(&["spec", "selector"])
                .and_then(|s| selector_matches(s, &labels))
                // An unreadable selector may well select the pods.
                .unwrap_or(true)
        })
        .collect()
}

/// Services in the workload's namespace whose selector selects its pods.
pub fn services_selecting<'m>(model: &'m Model, workload: &Resource) -> Vec<&'m Resource> {
    let labels = pod_labels(workload);
    model
        .selectors()
        .services
        .candidates(&labels)
        .into_iter()
        .filter_map(|i| model.resources.get(i))
        .filter(|r| r.same_namespace(&workload.id.namespace))
        .filter(|r| {
            let Some(sel) = r.node.path(&["spec", "selector"]) else {
                return false;
            };
            let entries = sel.as_map();
            !entries.is_empty()
                && entries.iter().all(|(k, v)| {
                    matches!((k.as_str(), v.as_str()), (Some(k), Some(v))
                        if labels.iter().any(|(lk, lv)| *lk == k && *lv == v))
                })
        })
        .collect()
}

/// Services and PodDisruptionBudgets by the first label their selector requires. A selector
/// that requires `key: value` cannot select pods without that label, so a workload is checked
/// against the few that could select it, not against every one in the input.
#[derive(Clone, Debug, Default)]
pub(crate) struct SelectorIndex {
    services: Selectable,
    pdbs: Selectable,
}

#[derive(Clone, Debug, Default)]
struct Selectable {
    /// Label key, then value, to resource indexes in input order.
    by_label: HashMap<String, HashMap<String, Vec<usize>>>,
    /// Those that may select pods without a label to index them by: a PDB selector of
    /// expressions only, or one that cannot be read.
    unkeyed: Vec<usize>,
}

impl SelectorIndex {
    pub(crate) fn build(model: &Model) -> SelectorIndex {
        let mut index = SelectorIndex::default();
        for &i in model.indexes_of_kind("Service") {
            let Some(r) = model.resources.get(i) else {
                continue;
            };
            // A Service selects nothing unless its selector has entries, all of them strings.
            let first = r
                .node
                .path(&["spec", "selector"])
                .and_then(|s| s.as_map().first());
            if let Some((Some(k), Some(v))) = first.map(|(k, v)| (k.as_str(), v.as_str())) {
                index.services.insert(k, v, i);
            }
        }
        for &i in model.indexes_of_kind("PodDisruptionBudget") {
            let Some(r) = model.resources.get(i) else {
                continue;
            };
            // `selector_matches` reads matchLabels first, in order: pods without the first
            // entry's label are never selected.
            let first = r
                .node
                .path(&["spec", "selector"])
                .filter(|s| s.is_map())
                .and_then(|s| s.get("matchLabels"))
                .and_then(|m| m.as_map().first())
                .map(|(k, v)| (k.as_str(), v.as_str()));
            match first {
                Some((Some(k), Some(v))) => index.pdbs.insert(k, v, i),
                _ => index.pdbs.unkeyed.push(i),
            }
        }
        index
    }
}

impl Selectable {
    fn insert(&mut self, key: &str, value: &str, index: usize) {
        self.by_label
            .entry(key.to_string())
            .or_default()
            .entry(value.to_string())
            .or_default()
            .push(index);
    }

    /// Indexes, in input order, of those that may select pods with `labels`.
    fn candidates(&self, labels: &[(&str, &str)]) -> Vec<usize> {
        let mut out = self.unkeyed.clone();
        for (k, v) in labels {
            if let Some(found) = self.by_label.get(*k).and_then(|values| values.get(*v)) {
                out.extend_from_slice(found);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Topology keys that put pods on different nodes: hostname, or a zone or region (which are
/// made of different nodes).
pub fn separates_nodes(topology_key: &str) -> bool {
    matches!(
        topology_key,
        "kubernetes.io/hostname"
            | "topology.kubernetes.io/zone"
            | "topology.kubernetes.io/region"
            | "failure-domain.beta.kubernetes.io/zone"
            | "failure-domain.beta.kubernetes.io/region"
    )
}

/// Whether a pod spec (or a Strimzi pod template, which has the same fields) keeps pods off
/// each other's nodes: a required or preferred pod anti-affinity term, or a topology spread
/// constraint, over nodes, whose selector selects the pods' own `labels`. With `labels` `None`
/// (pods whose labels an operator sets) any such term counts. `None` when a selector cannot be
/// read.
pub fn spreads_over_nodes(pod: &Node, labels: Option<&[(&str, &str)]>) -> Option<bool> {
    let anti = pod.path(&["affinity", "podAntiAffinity"]);
    let required = anti
        .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .map_or(&[][..], Node::as_seq)
        .iter();
    let preferred = anti
        .and_then(|a| a.get("preferredDuringSchedulingIgnoredDuringExecution"))
        .map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(|p| p.get("podAffinityTerm"));
    let spread = pod
        .get("topologySpreadConstraints")
        .map_or(&[][..], Node::as_seq)
        .iter();
    let mut unreadable = false;
    for term in required.chain(preferred).chain(spread) {
        if !term.text_at(&["topologyKey"]).is_some_and(separates_nodes) {
            continue;
        }
        let Some(labels) = labels else {
            return Some(true);
        };
        // A term without a selector selects no pods.
        let Some(selector) = term.get("labelSelector") else {
            continue;
        };
        match selector_matches(selector, labels) {
            Some(true) => return Some(true),
            Some(false) => {}
            None => unreadable = true,
        }
    }
    if unreadable {
        None
    } else {
        Some(false)
    }
}

/// The pod spec of any workload kind, CronJobs included.
pub fn any_pod_spec(r: &Resource) -> Option<&Node> {
    match r.kind() {
        "Pod" => r.node.get("spec"),
        "CronJob" => r
            .node
            .path(&["spec", "jobTemplate", "spec", "template", "spec"]),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => r.node.path(&["spec", "template", "spec"]),
        _ => None,
    }
}

/// One `id@host:port` entry of `controller.quorum.voters`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voter {
    pub id: i64,
    pub host: String,
}

/// Parse `controller.quorum.voters`; `None` when any entry is not `id@host:port`.
pub fn parse_voters(text: &str) -> Option<Vec<Voter>> {
    let mut voters = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (id, address) = entry.split_once('@')?;
        let id = id.trim().parse::<i64>().ok()?;
        let (host, port) = address.rsplit_once(':')?;
        port.trim().parse::<u16>().ok()?;
        voters.push(Voter {
            id,
            host: host.to_string(),
        });
    }
    (!voters.is_empty()).then_some(voters)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{build, Input, ModelOptions};
    use kafkalint_syntax::{yaml, Limits, SourceId};

    /// A model from YAML files (one text per file).
    fn model(files: &[&str]) -> Model {
        let mut input = Input::default();
        for (i, text) in files.iter().enumerate() {
            let id = SourceId(i as u32);
            for doc in yaml::parse(text, id, &Limits::default()).unwrap_or_default() {
                input.documents.push((id, doc));
            }
        }
        build(input, &ModelOptions::default())
    }

    /// Node pools pair with the `Kafka` of their own project: two copies of one project in a
    /// repository (same names, same namespace) give two brokers, not four.
    #[test]
    fn node_pools_pair_with_the_nearest_same_named_kafka() {
        let kafka = "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata:\n  name: my-cluster\n  annotations:\n    strimzi.io/node-pools: enabled\nspec:\n  kafka:\n    version: 3.9.0\n    config:\n      min.insync.replicas: 2\n";
        let pool = "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaNodePool\nmetadata:\n  name: pool\n  labels:\n    strimzi.io/cluster: my-cluster\nspec:\n  replicas: 3\n  roles: [broker]\n";
        let mut input = Input::default();
        for (i, (path, text)) in [
            ("one/kafka.yaml", kafka),
            ("one/pools/pool.yaml", pool),
            ("two/kafka.yaml", kafka),
            ("two/pools/pool.yaml", pool),
        ]
        .iter()
        .enumerate()
        {
            let id = SourceId(i as u32);
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            input.dirs.insert(id, dir);
            for doc in yaml::parse(text, id, &Limits::default()).unwrap_or_default() {
                input.documents.push((id, doc));
            }
        }
        let m = build(input, &ModelOptions::default());
        let pairs: Vec<(SourceId, SourceId)> = m
            .brokers
            .iter()
            .map(|b| {
                let kafka_file = b.config.entries.values().next().unwrap().origin.span.source;
                (kafka_file, m.resource(b.resource).unwrap().file)
            })
            .collect();
        assert_eq!(
            pairs,
            vec![(SourceId(0), SourceId(1)), (SourceId(2), SourceId(3))]
        );
    }

    fn broker_yaml(name: &str, replicas: u32, link: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  template:\n    spec:\n      containers:\n        - name: kafka\n          image: confluentinc/cp-kafka:7.8.0\n          env:\n            - name: KAFKA_ZOOKEEPER_CONNECT\n              value: {link}\n"
        )
    }

    fn counts(m: &Model) -> Vec<Option<u32>> {
        m.brokers.iter().map(|b| broker_count(m, b)).collect()
    }

    #[test]
    fn workloads_of_one_file_and_quorum_are_one_cluster() {
        let text = format!(
            "{}---\n{}---\n{}",
            broker_yaml("a", 1, "zk:2181"),
            broker_yaml("b", 2, "zk:2181"),
            broker_yaml("c", 3, "other:2181")
        );
        let m = model(&[&text]);
        assert_eq!(counts(&m), vec![Some(3), Some(3), Some(3)]);
    }

    #[test]
    fn the_same_quorum_in_another_file_leaves_the_count_unknown() {
        let a = broker_yaml("a", 1, "zk:2181");
        let b = broker_yaml("b", 1, "zk:2181");
        let m = model(&[&a, &b]);
        assert_eq!(counts(&m), vec![None, None]);
        // The same object rendered twice (two overlays of one base) is not a second member.
        let again = broker_yaml("a", 2, "zk:2181");
        let m = model(&[&a, &again]);
        assert_eq!(counts(&m), vec![Some(1), Some(2)]);
    }

    #[test]
    fn localhost_quorums_are_one_pod_each() {
        let m = model(&[&broker_yaml("a", 3, "localhost:2181")]);
        assert_eq!(counts(&m), vec![Some(1)]);
    }

    #[test]
    fn strimzi_pools_count_by_role() {
        let text = "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaNodePool\nmetadata:\n  name: controllers\n  labels:\n    strimzi.io/cluster: c\nspec:\n  replicas: 3\n  roles: [controller]\n---\napiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaNodePool\nmetadata:\n  name: brokers\n  labels:\n    strimzi.io/cluster: c\nspec:\n  replicas: 2\n  roles: [broker]\n---\napiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata:\n  name: c\n  annotations:\n    strimzi.io/node-pools: enabled\nspec:\n  kafka:\n    version: 3.9.0\n";
        let m = model(&[text]);
        assert_eq!(counts(&m), vec![Some(2), Some(2)]);
        let controllers: Vec<Option<u32>> =
            m.brokers.iter().map(|b| controller_count(&m, b)).collect();
        assert_eq!(controllers, vec![Some(3), Some(3)]);
    }

    #[test]
    fn voters() {
        let v = parse_voters("1@kafka-0.kafka:9093, 2@kafka-1.kafka:9093").unwrap_or_default();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].id, 2);
        assert!(parse_voters("kafka-0:9093").is_none());
        assert!(parse_voters("").is_none());
    }

    #[test]
    fn pod_local_addresses() {
        assert!(is_pod_local("1@localhost:9093"));
        assert!(is_pod_local("localhost:2181/kafka"));
        assert!(!is_pod_local("1@localhost:9093,2@kafka-1:9093"));
        assert!(!is_pod_local("zookeeper:2181"));
    }

    #[test]
    fn roles_parse() {
        assert_eq!(
            Roles::parse("broker, controller"),
            Some(Roles {
                broker: true,
                controller: true
            })
        );
        assert_eq!(Roles::parse("to be overridden"), None);
    }
}
