//! The slice of the Kubernetes OpenAPI schema that strategic merge needs: which lists merge by
//! key, reached through typed fields of built-in kinds. Lists anywhere else (custom resources,
//! unknown fields, old API versions kustomize's schema lacks) are replaced whole, as kustomize
//! does.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A built-in kind whose only merge-relevant part is its metadata.
    MetaOnly,
    /// Kinds with `spec.template` (Deployment, StatefulSet, ...).
    Workload,
    WorkloadSpec,
    Job,
    JobSpec,
    CronJob,
    CronJobSpec,
    JobTemplateSpec,
    Pod,
    PodTemplate,
    PodTemplateSpec,
    PodSpec,
    Container,
    Service,
    ServiceSpec,
    ObjectMeta,
    Opaque,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    Obj(Ty),
    /// A list merged by these keys (empty: a list of scalars merged as a set).
    Assoc(&'static [&'static str], Ty),
    /// A known field whose value is replaced whole.
    Atomic,
}

impl Schema {
    pub fn field(self, key: &str) -> Option<Schema> {
        let Schema::Obj(ty) = self else {
            return None;
        };
        let s = match (ty, key) {
            (_, "metadata") if ty != Ty::ObjectMeta && ty != Ty::Opaque => {
                Schema::Obj(Ty::ObjectMeta)
            }
            (Ty::Workload, "spec") => Schema::Obj(Ty::WorkloadSpec),
            (Ty::WorkloadSpec, "template") => Schema::Obj(Ty::PodTemplateSpec),
            (Ty::Job, "spec") => Schema::Obj(Ty::JobSpec),
            (Ty::JobSpec, "template") => Schema::Obj(Ty::PodTemplateSpec),
            (Ty::CronJob, "spec") => Schema::Obj(Ty::CronJobSpec),
            (Ty::CronJobSpec, "jobTemplate") => Schema::Obj(Ty::JobTemplateSpec),
            (Ty::JobTemplateSpec, "spec") => Schema::Obj(Ty::JobSpec),
            (Ty::Pod, "spec") => Schema::Obj(Ty::PodSpec),
            (Ty::PodTemplate, "template") => Schema::Obj(Ty::PodTemplateSpec),
            (Ty::PodTemplateSpec, "spec") => Schema::Obj(Ty::PodSpec),
            (Ty::PodSpec, "containers" | "initContainers" | "ephemeralContainers") => {
                Schema::Assoc(&["name"], Ty::Container)
            }
            (Ty::PodSpec, "volumes" | "imagePullSecrets") => Schema::Assoc(&["name"], Ty::Opaque),
            (Ty::PodSpec, "hostAliases") => Schema::Assoc(&["ip"], Ty::Opaque),
            (Ty::PodSpec, "topologySpreadConstraints") => {
                Schema::Assoc(&["topologyKey", "whenUnsatisfiable"], Ty::Opaque)
            }
            (Ty::Container, "ports") => Schema::Assoc(&["containerPort", "protocol"], Ty::Opaque),
            (Ty::Container, "env") => Schema::Assoc(&["name"], Ty::Opaque),
            (Ty::Container, "volumeMounts") => Schema::Assoc(&["mountPath"], Ty::Opaque),
            (Ty::Container, "volumeDevices") => Schema::Assoc(&["devicePath"], Ty::Opaque),
            (Ty::Service, "spec") => Schema::Obj(Ty::ServiceSpec),
            (Ty::ServiceSpec, "ports") => Schema::Assoc(&["port", "protocol"], Ty::Opaque),
            (Ty::ObjectMeta, "finalizers") => Schema::Assoc(&[], Ty::Opaque),
            (Ty::ObjectMeta, "ownerReferences") => Schema::Assoc(&["uid"], Ty::Opaque),
            _ => Schema::Atomic,
        };
        Some(s)
    }

    /// Schema of a list's elements.
    pub fn elements(self) -> Option<Schema> {
        match self {
            Schema::Assoc(_, ty) => Some(Schema::Obj(ty)),
            _ => None,
        }
    }

    /// Merge keys when this is a list merged by key.
    pub fn merge_keys(self) -> Option<&'static [&'static str]> {
        match self {
            Schema::Assoc(keys, _) => Some(keys),
            _ => None,
        }
    }
}

/// Schema of a top-level object of this apiVersion and kind, when kustomize's built-in
/// OpenAPI document (Kubernetes 1.21) has one.
pub fn for_type(api_version: &str, kind: &str) -> Option<Schema> {
    let ty = match (api_version, kind) {
        ("apps/v1", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") => Ty::Workload,
        ("v1", "ReplicationController") => Ty::Workload,
        ("batch/v1", "Job") => Ty::Job,
        ("batch/v1" | "batch/v1beta1", "CronJob") => Ty::CronJob,
        ("v1", "Pod") => Ty::Pod,
        ("v1", "PodTemplate") => Ty::PodTemplate,
        ("v1", "Service") => Ty::Service,
        (
            "v1",
            "ConfigMap"
            | "Secret"
            | "ServiceAccount"
            | "Namespace"
            | "Node"
            | "PersistentVolume"
            | "PersistentVolumeClaim"
            | "Endpoints"
            | "Event"
            | "LimitRange"
            | "ResourceQuota",
        )
        | ("apps/v1", "ControllerRevision")
        | (
            "autoscaling/v1" | "autoscaling/v2beta1" | "autoscaling/v2beta2",
            "HorizontalPodAutoscaler",
        )
        | ("policy/v1", "PodDisruptionBudget")
        | ("policy/v1beta1", "PodDisruptionBudget" | "PodSecurityPolicy")
        | ("networking.k8s.io/v1", "Ingress" | "IngressClass" | "NetworkPolicy")
        | ("networking.k8s.io/v1beta1", "Ingress" | "IngressClass")
        | ("extensions/v1beta1", "Ingress")
        | (
            "rbac.authorization.k8s.io/v1" | "rbac.authorization.k8s.io/v1beta1",
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding",
        )
        | ("storage.k8s.io/v1", "StorageClass" | "CSIDriver" | "CSINode" | "VolumeAttachment")
        | ("scheduling.k8s.io/v1", "PriorityClass")
        | (
            "apiextensions.k8s.io/v1" | "apiextensions.k8s.io/v1beta1",
            "CustomResourceDefinition",
        )
        | (
            "admissionregistration.k8s.io/v1" | "admissionregistration.k8s.io/v1beta1",
            "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration",
        )
        | ("apiregistration.k8s.io/v1", "APIService")
        | ("coordination.k8s.io/v1", "Lease")
        | ("discovery.k8s.io/v1" | "discovery.k8s.io/v1beta1", "EndpointSlice")
        | ("node.k8s.io/v1", "RuntimeClass")
        | ("certificates.k8s.io/v1", "CertificateSigningRequest") => Ty::MetaOnly,
        _ => return None,
    };
    Some(Schema::Obj(ty))
}
