use kafkalint_model::{Backing, Via};

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Follows each Kafka log dir (`log.dirs`, `log.dir`, or the image's default data
    /// directory) to the volume mounted over it, and checks that it is a
    /// PersistentVolumeClaim: a StatefulSet `volumeClaimTemplates` entry, a
    /// `persistentVolumeClaim` volume, or Strimzi `type: persistent-claim`. It reports
    /// `emptyDir`, a path no volume mounts (the container's own filesystem, such as
    /// apache/kafka's `/tmp/kraft-combined-logs`), and Strimzi `type: ephemeral`.
    ///
    /// ## Why is this bad?
    /// An `emptyDir` or the container filesystem is deleted with the pod. Every restart,
    /// eviction or rollout then starts the broker empty: with replication factor 1 the data is
    /// gone, and even with replicas the broker re-copies everything.
    ///
    /// Sources: Kubernetes volumes documentation (an `emptyDir` is deleted for good when the
    /// pod leaves its node); Strimzi `VolumeUtils` (`type: ephemeral` becomes an `emptyDir`);
    /// the data directory each image uses by default (`/bitnami/kafka/data`,
    /// `/var/lib/kafka/data`, or Kafka's own `log.dir` default `/tmp/kafka-logs` when an
    /// apache/kafka container sets no `KAFKA_LOG_DIRS`): images.json and `configs-*.json`.
    ///
    /// ## Example
    /// ```yaml
    /// volumeMounts:
    ///   - name: data
    ///     mountPath: /bitnami/kafka
    /// volumes:
    ///   - name: data
    ///     emptyDir: {}
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// volumeClaimTemplates:
    ///   - metadata:
    ///       name: data
    ///     spec:
    ///       accessModes: [ReadWriteOnce]
    ///       resources:
    ///         requests:
    ///           storage: 50Gi
    /// ```
    pub struct EphemeralLogStorage {
        code: "STO001",
        name: "ephemeral-log-storage",
        category: Storage,
        severity: Error,
    }
}

impl Rule for EphemeralLogStorage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            for dir in broker.log_dirs.iter().flatten() {
                let path_note = if dir.path_origin.via == Via::ImageDefault {
                    format!("{} is the image's default log dir", dir.path)
                } else {
                    format!("log dir {}", dir.path)
                };
                let finding = match &dir.backing {
                    Backing::Persistent => continue,
                    Backing::EmptyDir => Finding::new(
                        dir.backing_span.unwrap_or(broker.anchor),
                        format!(
                            "Kafka data in {} is on emptyDir volume {}: it is deleted with the pod",
                            dir.path,
                            dir.volume.as_deref().unwrap_or("")
                        ),
                    )
                    .label("emptyDir")
                    .with_label(dir.path_origin.span, path_note),
                    Backing::ContainerFs => Finding::new(
                        dir.path_origin.span,
                        format!(
                            "Kafka data in {} is on the container filesystem: no volume is mounted there",
                            dir.path
                        ),
                    )
                    .label(path_note),
                    Backing::StrimziEphemeral => Finding::new(
                        dir.backing_span.unwrap_or(broker.anchor),
                        "Kafka storage is `type: ephemeral`: Strimzi puts the logs on emptyDir",
                    )
                    .label("ephemeral storage"),
                    Backing::Other(kind) => Finding::new(
                        dir.backing_span.unwrap_or(broker.anchor),
                        format!("Kafka data in {} is on a {kind} volume, not a PersistentVolumeClaim", dir.path),
                    )
                    .label(kind.clone())
                    .at_most_warning(),
                };
                out.push(
                    finding
                        .help("put the log dirs on a PersistentVolumeClaim (StatefulSet volumeClaimTemplates, or Strimzi type: persistent-claim)")
                        .resource(broker.resource),
                );
            }
        }
    }
}
