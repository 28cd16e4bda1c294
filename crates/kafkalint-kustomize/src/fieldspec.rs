//! kustomize field specs: "where in which kinds" a transformer writes, and their traversal.

use kafkalint_syntax::{Node, NodeKind, Span};

use crate::resource::Gvk;
use crate::tree;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub gvk: Gvk,
    pub path: String,
    pub create: bool,
}

impl FieldSpec {
    pub fn new(group: &str, version: &str, kind: &str, path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            gvk: Gvk {
                group: group.into(),
                version: version.into(),
                kind: kind.into(),
            },
            path: path.into(),
            create,
        }
    }
}

/// What to create for a missing last path element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Create {
    Nothing,
    Scalar,
    Map,
}

fn split_path(path: &str) -> Vec<String> {
    let mut res: Vec<String> = Vec::new();
    for (i, part) in path.split('/').enumerate() {
        if i > 0 {
            if let Some(last) = res.last_mut() {
                if last.ends_with('\\') {
                    last.pop();
                    last.push('/');
                    last.push_str(part);
                    continue;
                }
            }
        }
        res.push(part.to_string());
    }
    res
}

/// Does the spec apply to a resource of this kind and apiVersion?
pub fn matches(fs: &FieldSpec, gvk: &Gvk) -> bool {
    gvk.is_selected_by(&fs.gvk)
}

/// Call `set` on every node at the spec's path, creating missing fields when the spec says so.
pub fn apply(
    node: &mut Node,
    fs: &FieldSpec,
    create: Create,
    span: Span,
    set: &mut dyn FnMut(&mut Node) -> Result<(), String>,
) -> Result<(), String> {
    let path = split_path(&fs.path);
    walk(node, &path, fs.create, create, span, set)
}

/// Whether [`apply`] with [`Create::Nothing`] would do anything to `node`: call `set`, turn a
/// null list into an empty one, or fail on a scalar in the path. Most field specs of a kind
/// name fields an object does not have; callers skip copying the object for those.
pub fn touches(node: &Node, fs: &FieldSpec) -> bool {
    reaches(node, &split_path(&fs.path))
}

fn reaches(node: &Node, path: &[String]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return true;
    };
    if node.is_null() {
        return false;
    }
    match &node.kind {
        NodeKind::Seq(items) => items.iter().any(|it| reaches(it, path)),
        NodeKind::Map(_) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (first.as_str(), false),
            };
            match node.get(name) {
                None => false,
                Some(field) if field.is_null() && is_seq => true,
                Some(field) => reaches(field, rest),
            }
        }
        NodeKind::Scalar { .. } => true,
    }
}

fn walk(
    node: &mut Node,
    path: &[String],
    allow_create: bool,
    create: Create,
    span: Span,
    set: &mut dyn FnMut(&mut Node) -> Result<(), String>,
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        return set(node);
    };
    if node.is_null() {
        return Ok(());
    }
    match &mut node.kind {
        NodeKind::Seq(items) => {
            for it in items.iter_mut() {
                walk(it, path, allow_create, create, span, set)?;
            }
            Ok(())
        }
        NodeKind::Map(_) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (first.as_str(), false),
            };
            let exists = node.get(name).is_some();
            if !exists {
                if !allow_create || create == Create::Nothing || is_seq {
                    return Ok(());
                }
                let new = if rest.is_empty() && create == Create::Scalar {
                    tree::str_node("", span)
                } else {
                    tree::map_node(Vec::new(), span)
                };
                tree::set(node, name, span, new);
            }
            let Some(field) = tree::get_mut(node, name) else {
                return Ok(());
            };
            if field.is_null() {
                if is_seq {
                    *field = tree::seq_node(Vec::new(), field.span);
                } else if allow_create && create != Create::Nothing {
                    *field = if rest.is_empty() && create == Create::Scalar {
                        tree::str_node("", span)
                    } else {
                        tree::map_node(Vec::new(), span)
                    };
                }
            }
            walk(field, rest, allow_create, create, span, set)
        }
        NodeKind::Scalar { .. } => Err(format!(
            "expected sequence or mapping node at path element '{first}'"
        )),
    }
}

fn fs(group: &str, version: &str, kind: &str, path: &str, create: bool) -> FieldSpec {
    FieldSpec::new(group, version, kind, path, create)
}

/// Where `commonLabels` (and `labels` with includeTemplates) go beyond selectors.
pub fn template_labels() -> Vec<FieldSpec> {
    vec![
        fs("", "", "", "metadata/labels", true),
        fs(
            "",
            "v1",
            "ReplicationController",
            "spec/template/metadata/labels",
            true,
        ),
        fs("", "", "Deployment", "spec/template/metadata/labels", true),
        fs("", "", "ReplicaSet", "spec/template/metadata/labels", true),
        fs("", "", "DaemonSet", "spec/template/metadata/labels", true),
        fs(
            "apps",
            "",
            "StatefulSet",
            "spec/template/metadata/labels",
            true,
        ),
        fs(
            "apps",
            "",
            "StatefulSet",
            "spec/volumeClaimTemplates[]/metadata/labels",
            true,
        ),
        fs("batch", "", "Job", "spec/template/metadata/labels", true),
        fs(
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/metadata/labels",
            true,
        ),
        fs(
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/spec/template/metadata/labels",
            true,
        ),
    ]
}

/// The default `commonLabels` field specs: selectors, templates and metadata.
pub fn common_labels() -> Vec<FieldSpec> {
    let aff = [
        "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
    ];
    let mut v = vec![
        fs("", "v1", "Service", "spec/selector", true),
        fs("", "v1", "ReplicationController", "spec/selector", true),
        fs("", "", "Deployment", "spec/selector/matchLabels", true),
    ];
    for p in aff {
        v.push(fs("apps", "", "Deployment", p, false));
    }
    v.push(fs("", "", "ReplicaSet", "spec/selector/matchLabels", true));
    v.push(fs("", "", "DaemonSet", "spec/selector/matchLabels", true));
    v.push(fs(
        "apps",
        "",
        "StatefulSet",
        "spec/selector/matchLabels",
        true,
    ));
    v.push(fs(
        "apps",
        "",
        "StatefulSet",
        "spec/volumeClaimTemplates[]/metadata/labels",
        true,
    ));
    for p in aff {
        v.push(fs("apps", "", "StatefulSet", p, false));
    }
    v.push(fs("batch", "", "Job", "spec/selector/matchLabels", false));
    v.push(fs(
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/spec/selector/matchLabels",
        false,
    ));
    v.push(fs(
        "policy",
        "",
        "PodDisruptionBudget",
        "spec/selector/matchLabels",
        false,
    ));
    v.push(fs(
        "networking.k8s.io",
        "",
        "NetworkPolicy",
        "spec/podSelector/matchLabels",
        false,
    ));
    v.push(fs(
        "networking.k8s.io",
        "",
        "NetworkPolicy",
        "spec/ingress/from/podSelector/matchLabels",
        false,
    ));
    v.push(fs(
        "networking.k8s.io",
        "",
        "NetworkPolicy",
        "spec/egress/to/podSelector/matchLabels",
        false,
    ));
    merge_all(&mut v, template_labels());
    v
}

pub fn common_annotations() -> Vec<FieldSpec> {
    vec![
        fs("", "", "", "metadata/annotations", true),
        fs(
            "",
            "v1",
            "ReplicationController",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "",
            "",
            "Deployment",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "",
            "",
            "ReplicaSet",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "",
            "",
            "DaemonSet",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "",
            "",
            "StatefulSet",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "batch",
            "",
            "Job",
            "spec/template/metadata/annotations",
            true,
        ),
        fs(
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/metadata/annotations",
            true,
        ),
        fs(
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/spec/template/metadata/annotations",
            true,
        ),
    ]
}

/// Namespace field specs beyond `metadata/namespace` and role binding subjects, which the
/// namespace transformer handles itself.
pub fn namespace_extra() -> Vec<FieldSpec> {
    vec![
        fs("", "", "Namespace", "metadata/name", true),
        fs(
            "apiregistration.k8s.io",
            "",
            "APIService",
            "spec/service/namespace",
            true,
        ),
        fs(
            "apiextensions.k8s.io",
            "",
            "CustomResourceDefinition",
            "spec/conversion/webhook/clientConfig/service/namespace",
            false,
        ),
    ]
}

pub fn images() -> Vec<FieldSpec> {
    vec![
        fs("", "", "", "spec/containers[]/image", true),
        fs("", "", "", "spec/initContainers[]/image", true),
        fs("", "", "", "spec/template/spec/containers[]/image", true),
        fs(
            "",
            "",
            "",
            "spec/template/spec/initContainers[]/image",
            true,
        ),
    ]
}

pub fn replicas() -> Vec<FieldSpec> {
    vec![
        fs("", "", "Deployment", "spec/replicas", true),
        fs("", "", "ReplicationController", "spec/replicas", true),
        fs("", "", "ReplicaSet", "spec/replicas", true),
        fs("", "", "StatefulSet", "spec/replicas", true),
    ]
}

/// Add specs not already present (same kind selector and path), as kustomize merges slices.
pub fn merge_all(into: &mut Vec<FieldSpec>, more: Vec<FieldSpec>) {
    for f in more {
        if !into.iter().any(|e| e.gvk == f.gvk && e.path == f.path) {
            into.push(f);
        }
    }
}

/// One name-reference rule: fields in some kinds that name a resource of kind `target`.
pub struct NameBackRef {
    pub target: Gvk,
    pub specs: Vec<FieldSpec>,
}

fn pod_paths(prefix: &str, kind: &str, version: &str, leafs: &[&str]) -> Vec<FieldSpec> {
    leafs
        .iter()
        .map(|l| fs("", version, kind, &format!("{prefix}{l}"), false))
        .collect()
}

/// kustomize's default name-reference configuration.
pub fn name_references() -> Vec<NameBackRef> {
    let workloads: [(&str, &str, &str); 8] = [
        ("spec/", "Pod", "v1"),
        ("template/spec/", "PodTemplate", ""),
        ("spec/template/spec/", "Deployment", ""),
        ("spec/template/spec/", "ReplicaSet", ""),
        ("spec/template/spec/", "DaemonSet", ""),
        ("spec/template/spec/", "StatefulSet", ""),
        ("spec/template/spec/", "Job", ""),
        ("spec/jobTemplate/spec/template/spec/", "CronJob", ""),
    ];
    let cm_leafs = [
        "volumes/configMap/name",
        "containers/env/valueFrom/configMapKeyRef/name",
        "initContainers/env/valueFrom/configMapKeyRef/name",
        "containers/envFrom/configMapRef/name",
        "initContainers/envFrom/configMapRef/name",
        "volumes/projected/sources/configMap/name",
    ];
    let secret_leafs = [
        "volumes/secret/secretName",
        "containers/env/valueFrom/secretKeyRef/name",
        "initContainers/env/valueFrom/secretKeyRef/name",
        "containers/envFrom/secretRef/name",
        "initContainers/envFrom/secretRef/name",
        "imagePullSecrets/name",
        "volumes/projected/sources/secret/name",
    ];
    let mut cm = Vec::new();
    let mut secret = Vec::new();
    for (prefix, kind, version) in workloads {
        cm.extend(pod_paths(prefix, kind, version, &cm_leafs));
        secret.extend(pod_paths(prefix, kind, version, &secret_leafs));
    }
    cm.push(fs("", "", "Node", "spec/configSource/configMap", false));
    cm.push(fs("", "", "Role", "rules/resourceNames", false));
    cm.push(fs("", "", "ClusterRole", "rules/resourceNames", false));
    cm.push(fs(
        "",
        "",
        "Ingress",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap",
        false,
    ));
    for (k, p) in [
        ("Ingress", "spec/tls/secretName"),
        (
            "Ingress",
            "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
        ),
        (
            "Ingress",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
        ),
        (
            "Ingress",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
        ),
        ("ServiceAccount", "imagePullSecrets/name"),
        ("StorageClass", "parameters/secretName"),
        ("StorageClass", "parameters/adminSecretName"),
        ("StorageClass", "parameters/userSecretName"),
        ("StorageClass", "parameters/secretRef"),
        ("Role", "rules/resourceNames"),
        ("ClusterRole", "rules/resourceNames"),
        ("PersistentVolume", "spec/azureFile/secretName"),
    ] {
        secret.push(fs("", "", k, p, false));
    }
    secret.push(fs(
        "serving.knative.dev",
        "v1",
        "Service",
        "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
        false,
    ));
    let scale = |k: &str| {
        fs(
            "",
            "",
            "HorizontalPodAutoscaler",
            "spec/scaleTargetRef/name",
            false,
        )
        .with_target(k)
    };
    let mut refs = vec![
        scale("Deployment"),
        scale("ReplicationController"),
        scale("ReplicaSet"),
        scale("StatefulSet"),
        NameBackRef {
            target: gvk("", "v1", "ConfigMap"),
            specs: cm,
        },
        NameBackRef {
            target: gvk("", "v1", "Secret"),
            specs: secret,
        },
        NameBackRef {
            target: gvk("", "v1", "Service"),
            specs: vec![
                fs("apps", "", "StatefulSet", "spec/serviceName", false),
                fs(
                    "",
                    "",
                    "Ingress",
                    "spec/rules/http/paths/backend/serviceName",
                    false,
                ),
                fs("", "", "Ingress", "spec/backend/serviceName", false),
                fs(
                    "",
                    "",
                    "Ingress",
                    "spec/rules/http/paths/backend/service/name",
                    false,
                ),
                fs("", "", "Ingress", "spec/defaultBackend/service/name", false),
                fs(
                    "apiregistration.k8s.io",
                    "",
                    "APIService",
                    "spec/service/name",
                    false,
                ),
                fs(
                    "admissionregistration.k8s.io",
                    "",
                    "ValidatingWebhookConfiguration",
                    "webhooks/clientConfig/service",
                    false,
                ),
                fs(
                    "admissionregistration.k8s.io",
                    "",
                    "MutatingWebhookConfiguration",
                    "webhooks/clientConfig/service",
                    false,
                ),
                fs("", "", "HTTPRoute", "spec/rules/backendRefs/name", false),
            ],
        },
        NameBackRef {
            target: gvk("rbac.authorization.k8s.io", "", "Role"),
            specs: vec![fs(
                "rbac.authorization.k8s.io",
                "",
                "RoleBinding",
                "roleRef/name",
                false,
            )],
        },
        NameBackRef {
            target: gvk("rbac.authorization.k8s.io", "", "ClusterRole"),
            specs: vec![
                fs(
                    "rbac.authorization.k8s.io",
                    "",
                    "RoleBinding",
                    "roleRef/name",
                    false,
                ),
                fs(
                    "rbac.authorization.k8s.io",
                    "",
                    "ClusterRoleBinding",
                    "roleRef/name",
                    false,
                ),
            ],
        },
    ];
    let sa_paths = [
        ("rbac.authorization.k8s.io", "RoleBinding", "subjects"),
        (
            "rbac.authorization.k8s.io",
            "ClusterRoleBinding",
            "subjects",
        ),
        ("", "Pod", "spec/serviceAccountName"),
        ("", "StatefulSet", "spec/template/spec/serviceAccountName"),
        ("", "Deployment", "spec/template/spec/serviceAccountName"),
        (
            "",
            "ReplicationController",
            "spec/template/spec/serviceAccountName",
        ),
        (
            "",
            "CronJob",
            "spec/jobTemplate/spec/template/spec/serviceAccountName",
        ),
        ("", "Job", "spec/template/spec/serviceAccountName"),
        ("", "DaemonSet", "spec/template/spec/serviceAccountName"),
    ];
    refs.push(NameBackRef {
        target: gvk("", "v1", "ServiceAccount"),
        specs: sa_paths
            .iter()
            .map(|(g, k, p)| fs(g, "", k, p, false))
            .collect(),
    });
    let pvc_paths = [
        ("Pod", "spec/volumes/persistentVolumeClaim/claimName"),
        (
            "StatefulSet",
            "spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
        (
            "Deployment",
            "spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
        (
            "ReplicationController",
            "spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
        (
            "CronJob",
            "spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
        (
            "Job",
            "spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
        (
            "DaemonSet",
            "spec/template/spec/volumes/persistentVolumeClaim/claimName",
        ),
    ];
    refs.push(NameBackRef {
        target: gvk("", "v1", "PersistentVolumeClaim"),
        specs: pvc_paths
            .iter()
            .map(|(k, p)| fs("", "", k, p, false))
            .collect(),
    });
    refs.push(NameBackRef {
        target: gvk("", "v1", "PersistentVolume"),
        specs: vec![
            fs("", "", "PersistentVolumeClaim", "spec/volumeName", false),
            fs("", "", "ClusterRole", "rules/resourceNames", false),
        ],
    });
    refs.push(NameBackRef {
        target: gvk("storage.k8s.io", "v1", "StorageClass"),
        specs: vec![
            fs("", "", "PersistentVolume", "spec/storageClassName", false),
            fs(
                "",
                "",
                "PersistentVolumeClaim",
                "spec/storageClassName",
                false,
            ),
            fs(
                "",
                "",
                "StatefulSet",
                "spec/volumeClaimTemplates/spec/storageClassName",
                false,
            ),
        ],
    });
    let pc_paths = [
        ("Pod", "spec/priorityClassName"),
        ("StatefulSet", "spec/template/spec/priorityClassName"),
        ("Deployment", "spec/template/spec/priorityClassName"),
        (
            "ReplicationController",
            "spec/template/spec/priorityClassName",
        ),
        (
            "CronJob",
            "spec/jobTemplate/spec/template/spec/priorityClassName",
        ),
        ("Job", "spec/template/spec/priorityClassName"),
        ("DaemonSet", "spec/template/spec/priorityClassName"),
    ];
    refs.push(NameBackRef {
        target: gvk("scheduling.k8s.io", "v1", "PriorityClass"),
        specs: pc_paths
            .iter()
            .map(|(k, p)| fs("", "", k, p, false))
            .collect(),
    });
    // kustomize writes this group with its version ("networking.k8s.io/v1"), which never
    // matches; kept so behaviour stays the same.
    refs.push(NameBackRef {
        target: gvk("networking.k8s.io/v1", "v1", "IngressClass"),
        specs: vec![fs("", "", "Ingress", "spec/ingressClassName", false)],
    });
    refs
}

fn gvk(group: &str, version: &str, kind: &str) -> Gvk {
    Gvk {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
    }
}

trait WithTarget {
    fn with_target(self, kind: &str) -> NameBackRef;
}

impl WithTarget for FieldSpec {
    fn with_target(self, kind: &str) -> NameBackRef {
        NameBackRef {
            target: gvk("", "", kind),
            specs: vec![self],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_slash() {
        assert_eq!(
            split_path("metadata/annotations/a.io\\/b"),
            vec!["metadata", "annotations", "a.io/b"]
        );
    }

    /// `touches` says yes exactly when `apply` calls `set`, changes the node, or fails.
    #[test]
    fn touches_agrees_with_apply() {
        let docs = [
            "spec: {volumes: [{name: a, configMap: {name: c}}, {name: b}]}",
            "spec: {volumes: [{name: b}]}",
            "spec: {volumes: null}",
            "spec: {volumes: ~, other: 1}",
            "spec: {template: null}",
            "spec: scalar",
            "other: 1",
            "spec: {volumes: [{configMap: null}]}",
        ];
        let paths = [
            "spec/volumes[]/configMap/name",
            "spec/volumes/configMap/name",
            "spec/template/spec",
        ];
        for doc in docs {
            let node = kafkalint_syntax::yaml::parse(
                doc,
                kafkalint_syntax::SourceId(0),
                &Default::default(),
            )
            .unwrap()
            .remove(0);
            for path in paths {
                let spec = FieldSpec::new("", "", "", path, false);
                let mut copy = node.clone();
                let mut called = false;
                let result = apply(&mut copy, &spec, Create::Nothing, node.span, &mut |_| {
                    called = true;
                    Ok(())
                });
                let acted = called || result.is_err() || copy != node;
                assert_eq!(touches(&node, &spec), acted, "{doc} {path}");
            }
        }
    }
}
