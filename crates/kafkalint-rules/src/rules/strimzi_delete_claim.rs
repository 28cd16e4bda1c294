use kafkalint_syntax::Node;

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `deleteClaim: true` on Strimzi persistent storage: a Kafka's
    /// `spec.kafka.storage` (and `spec.zookeeper.storage`), each JBOD volume, and a
    /// `KafkaNodePool`'s `spec.storage`. When the cluster uses node pools, the Kafka's own
    /// `spec.kafka.storage` is not used and is not checked.
    ///
    /// Source: repo `strimzi/strimzi-kafka-operator` @ `0722320d984abc649fde6b0a43e7cada93ecd325`,
    /// `api/src/main/java/io/strimzi/api/kafka/model/kafka/PersistentClaimStorage.java`:
    /// `deleteClaim` defaults to false and, when true, the claim goes when the cluster is
    /// undeployed.
    ///
    /// ## Why is this bad?
    /// Deleting the `Kafka` or `KafkaNodePool` resource — a mistaken `kubectl delete`, a
    /// GitOps prune, a rename — then deletes the PersistentVolumeClaims, and with a `Delete`
    /// reclaim policy the volumes and every message on them. Without it the claims survive,
    /// and recreating the resource finds the data again.
    ///
    /// ## Example
    /// ```yaml
    /// storage:
    ///   type: persistent-claim
    ///   size: 100Gi
    ///   deleteClaim: true
    /// ```
    ///
    /// ## Fix
    /// Remove `deleteClaim` (or set it to `false`), and delete the claims by hand when the
    /// data is really meant to go.
    pub struct StrimziDeleteClaim {
        code: "STO002",
        name: "strimzi-delete-claim",
        category: Storage,
        severity: Warning,
    }
}

fn check_storage(storage: &Node, what: &str, resource: usize, out: &mut Vec<Finding>) {
    let mut one = |volume: &Node, what: String| {
        if volume.text_at(&["type"]) != Some("persistent-claim") {
            return;
        }
        let Some((key, value)) = volume.entry("deleteClaim") else {
            return;
        };
        if value.as_bool() != Some(true) {
            return;
        }
        out.push(
            Finding::new(
                key.span,
                format!("{what} has deleteClaim: true: deleting the resource deletes its PersistentVolumeClaims and the data on them"),
            )
            .label("deleteClaim: true")
            .help("remove deleteClaim (the default is false) and delete claims by hand when the data should go")
            .resource(Some(resource)),
        );
    };
    if storage.text_at(&["type"]) == Some("jbod") {
        for v in storage.get("volumes").map_or(&[][..], Node::as_seq) {
            let id = v.text_at(&["id"]).unwrap_or("?");
            one(v, format!("{what} JBOD volume {id}"));
        }
    } else {
        one(storage, what.to_string());
    }
}

impl Rule for StrimziDeleteClaim {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (index, r) in cx.model.resources.iter().enumerate() {
            if r.group() != "kafka.strimzi.io" {
                continue;
            }
            match r.kind() {
                "Kafka" => {
                    let pools_enabled = r
                        .node
                        .path(&["metadata", "annotations", "strimzi.io/node-pools"])
                        .and_then(Node::as_text)
                        == Some("enabled");
                    if !pools_enabled {
                        if let Some(s) = r.node.path(&["spec", "kafka", "storage"]) {
                            check_storage(s, &format!("{} storage", r.display()), index, out);
                        }
                    }
                    if let Some(s) = r.node.path(&["spec", "zookeeper", "storage"]) {
                        check_storage(s, &format!("{} ZooKeeper storage", r.display()), index, out);
                    }
                }
                "KafkaNodePool" => {
                    if let Some(s) = r.node.path(&["spec", "storage"]) {
                        check_storage(s, &format!("{} storage", r.display()), index, out);
                    }
                }
                _ => {}
            }
        }
    }
}
