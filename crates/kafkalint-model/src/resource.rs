use kafkalint_syntax::{Node, SourceId, Span};

/// The identity of a Kubernetes object.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceId {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

/// One Kubernetes object from the input.
#[derive(Clone, Debug)]
pub struct Resource {
    pub id: ResourceId,
    pub node: Node,
    pub file: SourceId,
}

impl Resource {
    /// A document that looks like a Kubernetes object (it has a kind).
    pub fn from_node(node: Node, file: SourceId) -> Option<Resource> {
        let kind = node.text_at(&["kind"])?.to_string();
        let id = ResourceId {
            api_version: node.text_at(&["apiVersion"]).unwrap_or("").to_string(),
            kind,
            name: node
                .text_at(&["metadata", "name"])
                .or_else(|| node.text_at(&["metadata", "generateName"]))
                .unwrap_or("")
                .to_string(),
            namespace: node.text_at(&["metadata", "namespace"]).map(str::to_string),
        };
        Some(Resource { id, node, file })
    }

    pub fn kind(&self) -> &str {
        &self.id.kind
    }

    pub fn group(&self) -> &str {
        self.id.api_version.split_once('/').map_or("", |(g, _)| g)
    }

    /// `metadata.name` (the value), else the document: where object-level findings go.
    pub fn anchor(&self) -> Span {
        self.node
            .path(&["metadata", "name"])
            .map_or(self.node.span, |n| n.span)
    }

    pub fn display(&self) -> String {
        format!("{}/{}", self.id.kind, self.id.name)
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.node
            .path(&["metadata", "labels"])
            .and_then(|l| l.get(key))
            .and_then(Node::as_text)
    }

    /// The pod spec of a Pod or of a workload's pod template.
    pub fn pod_spec(&self) -> Option<&Node> {
        match self.kind() {
            "Pod" => self.node.get("spec"),
            _ => self.node.path(&["spec", "template", "spec"]),
        }
    }

    /// A container of the pod spec, by name.
    pub fn container(&self, name: &str) -> Option<&Node> {
        self.pod_spec()?
            .get("containers")?
            .as_seq()
            .iter()
            .find(|c| c.text_at(&["name"]) == Some(name))
    }

    /// Namespaces match when equal, or when either side leaves it to `kubectl -n`.
    pub fn same_namespace(&self, other: &Option<String>) -> bool {
        match (&self.id.namespace, other) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}
