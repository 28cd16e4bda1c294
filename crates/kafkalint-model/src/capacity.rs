//! How much disk one broker has for its log dirs: the storage request of each volume behind
//! them (StatefulSet `volumeClaimTemplates`, a PersistentVolumeClaim in the input, Strimzi
//! `persistent-claim` and JBOD volumes, CFK `dataVolumeCapacity`).

use kafkalint_syntax::{Node, Span};

use crate::quantity::parse_memory;
use crate::{Backing, Broker, BrokerSource, Lookup, Model};

/// One volume's requested size.
#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    pub bytes: u64,
    /// As written: `100Gi`.
    pub text: String,
    pub span: Span,
}

/// The volumes holding one broker's log dirs, each counted once; `None` when any of them
/// cannot be sized from the input (or a log dir is not on a persistent volume).
pub fn log_volumes(model: &Model, broker: &Broker) -> Option<Vec<Volume>> {
    let resource = model.resource(broker.resource)?;
    let node = &resource.node;
    match &broker.source {
        BrokerSource::Strimzi { .. } => {
            let storage = match resource.kind() {
                "KafkaNodePool" => node.path(&["spec", "storage"]),
                _ => node.path(&["spec", "kafka", "storage"]),
            }?;
            strimzi_volumes(storage)
        }
        BrokerSource::Confluent => {
            let dirs = broker.log_dirs.as_ref()?;
            if dirs.is_empty() || dirs.iter().any(|d| d.backing != Backing::Persistent) {
                return None;
            }
            volume(node.path(&["spec", "dataVolumeCapacity"])?).map(|v| vec![v])
        }
        BrokerSource::Workload { .. } => {
            let dirs = broker.log_dirs.as_ref()?;
            let mut names: Vec<&str> = Vec::new();
            for d in dirs {
                if d.backing != Backing::Persistent {
                    return None;
                }
                let name = d.volume.as_deref()?;
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            if names.is_empty() {
                return None;
            }
            names
                .into_iter()
                .map(|name| workload_volume(model, broker, name))
                .collect()
        }
        BrokerSource::Standalone => None,
    }
}

/// Whether the broker holds partition data (not a KRaft controller-only node).
pub fn holds_data(model: &Model, broker: &Broker) -> bool {
    if let Lookup::Set(_, roles) = broker.config.lookup("process.roles") {
        if !roles.split(',').any(|r| r.trim() == "broker") {
            return false;
        }
    }
    if let Some(r) = model.resource(broker.resource) {
        if r.kind() == "KafkaNodePool" {
            if let Some(roles) = r.node.path(&["spec", "roles"]) {
                return roles.as_seq().iter().any(|n| n.as_str() == Some("broker"));
            }
        }
    }
    true
}

fn volume(n: &Node) -> Option<Volume> {
    let text = n.as_text()?;
    Some(Volume {
        bytes: parse_memory(text)?,
        text: text.to_string(),
        span: n.span,
    })
}

fn strimzi_volumes(storage: &Node) -> Option<Vec<Volume>> {
    let one = |v: &Node| match v.text_at(&["type"]) {
        Some("persistent-claim") => volume(v.get("size")?),
        _ => None,
    };
    if storage.text_at(&["type"]) == Some("jbod") {
        let vols = storage.get("volumes")?.as_seq();
        if vols.is_empty() {
            return None;
        }
        vols.iter().map(one).collect()
    } else {
        one(storage).map(|v| vec![v])
    }
}

fn workload_volume(model: &Model, broker: &Broker, name: &str) -> Option<Volume> {
    let resource = model.resource(broker.resource)?;
    let templates = resource.node.path(&["spec", "volumeClaimTemplates"]);
    if let Some(t) = templates
        .map_or(&[][..], Node::as_seq)
        .iter()
        .find(|t| t.text_at(&["metadata", "name"]) == Some(name))
    {
        return volume(t.path(&["spec", "resources", "requests", "storage"])?);
    }
    // A claim named in the pod spec is shared by every replica, so it is one broker's disk
    // only when there is one replica.
    if broker.replicas.is_some_and(|(n, _)| n > 1) {
        return None;
    }
    let claim = resource
        .pod_spec()?
        .get("volumes")?
        .as_seq()
        .iter()
        .find(|v| v.text_at(&["name"]) == Some(name))?
        .text_at(&["persistentVolumeClaim", "claimName"])?;
    let pvc = model
        .resources_of_kind("PersistentVolumeClaim")
        .find(|r| r.id.name == claim && r.same_namespace(&resource.id.namespace))?;
    volume(
        pvc.node
            .path(&["spec", "resources", "requests", "storage"])?,
    )
}
