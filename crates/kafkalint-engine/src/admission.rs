//! The admission core: an `admission.k8s.io/v1` AdmissionReview in, the AdmissionReview with
//! its `response` out. The webhook server and the WebAssembly build both call [`review`]; it
//! does no I/O, so the verdict for a body is the same wherever it runs.
//!
//! The object is linted alone: a ConfigMap its `envFrom` names, a PDB, the node pools of a
//! Strimzi `Kafka` are not in the request, so what they would set is unknown and the rules that
//! need them stay silent.

use std::collections::HashSet;
use std::fmt::{self, Write as _};

use kafkalint_policy::Severity;
use kafkalint_rules::Category;
use kafkalint_syntax::{Node, NodeKind, Pos, ScalarStyle};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::{lint, LintOptions, Workspace};

/// The only AdmissionReview version served (the webhook configuration asks for it alone).
pub const API_VERSION: &str = "admission.k8s.io/v1";

/// The source path findings are reported under; policy `path:` exemptions see it.
pub const SOURCE_PATH: &str = "<admission>";

/// Apiserver limits: warnings past these are truncated or dropped.
const WARNING_MAX_CHARS: usize = 256;
const WARNINGS_MAX_TOTAL: usize = 4096;
/// Findings listed in a denial; the rest are counted.
const DENY_MAX_LISTED: usize = 30;

/// How requests are judged.
#[derive(Clone, Debug, Default)]
pub struct AdmissionOptions {
    pub lint: LintOptions,
    /// Namespaces (globs with `*`) whose objects are admitted without linting.
    pub exempt_namespaces: Vec<String>,
    /// Report error-level findings as warnings and admit: the rollout mode.
    pub warn_only: bool,
    /// On UPDATE, deny for errors the stored object already had too. Off by default, so an
    /// object admitted before the webhook existed can still be changed (e.g. fixed in steps).
    pub deny_existing: bool,
}

/// What became of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Admitted with nothing to say.
    Allowed,
    /// Admitted with warnings.
    Warned,
    /// Refused: at least one new error-level finding.
    Denied,
    /// Admitted without linting.
    Skipped(Skip),
}

impl Verdict {
    /// The metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Warned => "warned",
            Verdict::Denied => "denied",
            Verdict::Skipped(_) => "skipped",
        }
    }
}

/// Why a request was admitted without linting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// DELETE or CONNECT: nothing new is stored.
    Operation,
    /// `status`, `scale` and other subresources carry another type than the object's.
    Subresource,
    ExemptNamespace,
    /// An UPDATE of an object with a `deletionTimestamp`: controllers removing finalizers must
    /// not be blocked, or the deletion hangs.
    BeingDeleted,
    /// Made by a controller (`ownerReferences[].controller`) from an owner that was itself
    /// admitted; refusing it would break the owner's rollout, not stop the change.
    ControllerOwned,
}

impl Skip {
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::Operation => "operation",
            Skip::Subresource => "subresource",
            Skip::ExemptNamespace => "exempt-namespace",
            Skip::BeingDeleted => "being-deleted",
            Skip::ControllerOwned => "controller-owned",
        }
    }
}

/// One finding, as admission reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// Dotted path in the object: `spec.template.spec.containers[0].env[2].value`.
    pub path: String,
    /// On UPDATE: the stored object has the same finding, so it does not deny.
    pub existing: bool,
}

impl Finding {
    /// `CODE: message (path)`.
    pub fn line(&self) -> String {
        let mut out = String::new();
        self.push_line(&mut out);
        out
    }

    /// [`Finding::line`] appended to `out`, reserved once: `format!` regrew the String a few
    /// times for each long message.
    fn push_line(&self, out: &mut String) {
        out.reserve(self.code.len() + self.message.len() + self.path.len() + 5);
        out.push_str(&self.code);
        out.push_str(": ");
        out.push_str(&self.message);
        if !self.path.is_empty() {
            out.push_str(" (");
            out.push_str(&self.path);
            out.push(')');
        }
    }
}

/// The outcome of one AdmissionReview.
#[derive(Clone, Debug)]
pub struct Review {
    pub uid: String,
    pub verdict: Verdict,
    /// Errors and warnings of the object (info findings are left out).
    pub findings: Vec<Finding>,
    /// The AdmissionReview to send back.
    pub response: Value,
}

impl Review {
    pub fn to_json(&self) -> String {
        self.response.to_string()
    }
}

/// A body that is not an AdmissionReview this core can answer; the server says 400.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdmissionError {
    /// Not JSON at all.
    Json(String),
    /// JSON, but not an `admission.k8s.io/v1` AdmissionReview with a request.
    NotReview(String),
}

impl fmt::Display for AdmissionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdmissionError::Json(e) => write!(f, "the body is not JSON: {e}"),
            AdmissionError::NotReview(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for AdmissionError {}

/// Judge an AdmissionReview body.
///
/// The envelope is read into small typed fields; the object is read straight into nodes,
/// without a `serde_json::Value` in between, since it is nearly all of the body.
pub fn review(body: &[u8], options: &AdmissionOptions) -> Result<Review, AdmissionError> {
    let json_error = |e: serde_json::Error| AdmissionError::Json(e.to_string());
    // A struct would also be read from a JSON array.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        serde_json::from_slice::<IgnoredAny>(body).map_err(json_error)?;
        return Err(not_review("the body is not a JSON object"));
    }
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => not_review(&format!("not an AdmissionReview: {e}")),
        _ => json_error(e),
    })?;
    judge(envelope, options)
}

/// Judge an AdmissionReview already parsed.
pub fn review_value(doc: Value, options: &AdmissionOptions) -> Result<Review, AdmissionError> {
    review(doc.to_string().as_bytes(), options)
}

/// The parts of an AdmissionReview the verdict depends on. Fields keep any JSON type, so a
/// wrong type gets the same answer as a missing field.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "apiVersion", default)]
    api_version: Option<Value>,
    #[serde(default)]
    kind: Option<Value>,
    #[serde(default)]
    request: Option<Request>,
}

#[derive(Deserialize, Default)]
struct Request {
    #[serde(default)]
    uid: Option<Value>,
    #[serde(default)]
    operation: Option<Value>,
    #[serde(default)]
    namespace: Option<Value>,
    #[serde(default)]
    name: Option<Value>,
    #[serde(rename = "subResource", default)]
    sub_resource: Option<Value>,
    /// The type being admitted (`group`, `version`, `kind`).
    #[serde(default)]
    kind: Option<Value>,
    /// Read in the same pass, straight into nodes.
    #[serde(default, deserialize_with = "Object::deserialize")]
    object: Option<Object>,
    #[serde(
        rename = "oldObject",
        default,
        deserialize_with = "Object::deserialize"
    )]
    old_object: Option<Object>,
}

fn text(v: &Option<Value>) -> &str {
    v.as_ref().and_then(Value::as_str).unwrap_or_default()
}

fn judge(envelope: Envelope, options: &AdmissionOptions) -> Result<Review, AdmissionError> {
    let api_version = text(&envelope.api_version);
    let kind = text(&envelope.kind);
    if kind != "AdmissionReview" {
        return Err(not_review(&format!(
            "kind is {kind:?}, expected \"AdmissionReview\""
        )));
    }
    if api_version != API_VERSION {
        return Err(not_review(&format!(
            "apiVersion is {api_version:?}; only {API_VERSION} is served (set admissionReviewVersions: [v1])"
        )));
    }
    let Some(mut request) = envelope.request else {
        return Err(not_review("the AdmissionReview has no request"));
    };
    let uid = match text(&request.uid) {
        "" => return Err(not_review("request.uid is missing")),
        u => u.to_string(),
    };
    let operation = text(&request.operation);
    let namespace = text(&request.namespace);

    if !matches!(operation, "CREATE" | "UPDATE") {
        return Ok(skipped(uid, Skip::Operation));
    }
    if !text(&request.sub_resource).is_empty() {
        return Ok(skipped(uid, Skip::Subresource));
    }
    if !namespace.is_empty()
        && options
            .exempt_namespaces
            .iter()
            .any(|g| glob_match(g, namespace))
    {
        return Ok(skipped(uid, Skip::ExemptNamespace));
    }
    let Some(mut object) = request.object.take() else {
        return Err(not_review(&format!(
            "request.object is missing or not an object for {operation}"
        )));
    };
    let meta = object.root.get("metadata");
    if operation == "UPDATE" && meta.and_then(|m| m.get("deletionTimestamp")).is_some() {
        return Ok(skipped(uid, Skip::BeingDeleted));
    }
    if controller_owned(meta) {
        return Ok(skipped(uid, Skip::ControllerOwned));
    }
    object.complete(&request);
    let strimzi_pools = strimzi_uses_pools(&object.root);
    let mut findings = object.findings(strimzi_pools, &options.lint);

    if operation == "UPDATE" && !options.deny_existing {
        if let Some(mut old) = request.old_object.take() {
            old.complete(&request);
            // Same rule at the same path, or with the same message when an edit above it
            // shifted list indices.
            let mut before = HashSet::new();
            for f in old.findings(strimzi_pools, &options.lint) {
                before.insert((f.code.clone(), f.path));
                before.insert((f.code, f.message));
            }
            for f in &mut findings {
                f.existing = before.contains(&(f.code.clone(), f.path.clone()))
                    || before.contains(&(f.code.clone(), f.message.clone()));
            }
        }
    }

    let what = describe(&request, namespace);
    Ok(respond(uid, findings, options.warn_only, &what))
}

fn not_review(why: &str) -> AdmissionError {
    AdmissionError::NotReview(why.to_string())
}

fn skipped(uid: String, why: Skip) -> Review {
    Review {
        response: response(&uid, true, None, &[]),
        uid,
        verdict: Verdict::Skipped(why),
        findings: Vec::new(),
    }
}

fn response(uid: &str, allowed: bool, status: Option<Value>, warnings: &[String]) -> Value {
    let mut r = Map::new();
    r.insert("uid".into(), uid.into());
    r.insert("allowed".into(), allowed.into());
    // Always a status: some clients (kube-rs) require the field even when allowed.
    r.insert(
        "status".into(),
        status.unwrap_or_else(|| json!({ "status": "Success", "code": 200 })),
    );
    if !warnings.is_empty() {
        r.insert("warnings".into(), warnings.into());
    }
    json!({ "apiVersion": API_VERSION, "kind": "AdmissionReview", "response": r })
}

/// A JSON string, as read by [`NodeSeed`] (numbers, booleans and null are plain scalars).
fn json_str(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar {
            value,
            style: ScalarStyle::DoubleQuoted,
        } => Some(value),
        _ => None,
    }
}

fn json_true(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Scalar { value, style: ScalarStyle::Plain } if value == "true")
}

fn controller_owned(meta: Option<&Node>) -> bool {
    meta.and_then(|m| m.get("ownerReferences"))
        .is_some_and(|refs| {
            refs.as_seq()
                .iter()
                .any(|r| r.get("controller").is_some_and(json_true))
        })
}

/// An object of the request as nodes, in a workspace of its own.
struct Object {
    ws: Workspace,
    id: kafkalint_syntax::SourceId,
    root: Node,
    layout: Layout,
    kind: String,
}

impl Object {
    /// The object, or `None` when the value is not a JSON object (or is null).
    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Object>, D::Error> {
        let mut ws = Workspace::new();
        // No text: findings are placed by their node, and a JSON object has no comments.
        let id = ws.sources.add(SOURCE_PATH, String::new());
        let mut layout = Layout {
            source: id,
            line: 1,
        };
        let seed = NodeSeed {
            layout: &mut layout,
            col: 1,
            depth: 0,
            place: Place::Root,
        };
        let root = seed.deserialize(deserializer)?;
        if !root.is_map() {
            return Ok(None);
        }
        Ok(Some(Object {
            ws,
            id,
            root,
            layout,
            kind: String::new(),
        }))
    }

    fn complete(&mut self, request: &Request) {
        complete(&mut self.root, &mut self.layout, request);
        self.kind = self
            .root
            .get("kind")
            .and_then(json_str)
            .unwrap_or("")
            .to_string();
    }

    fn findings(self, strimzi_pools: bool, options: &LintOptions) -> Vec<Finding> {
        let Object {
            mut ws,
            id,
            root,
            kind,
            ..
        } = self;
        ws.add_documents(id, vec![root]);
        findings_of(ws, id, &kind, strimzi_pools, options)
    }
}

/// Fill what the apiserver leaves to the request (the namespace on CREATE, the type when the
/// object omits it). The added entries go on lines after the object's own.
fn complete(object: &mut Node, layout: &mut Layout, request: &Request) {
    let namespace = text(&request.namespace);
    let part = |k: &str| {
        request
            .kind
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
    };
    let mut added = Vec::new();
    if object.get("kind").is_none() {
        if let Some(k) = part("kind") {
            added.push(("kind", k.to_string()));
        }
    }
    if object.get("apiVersion").is_none() {
        if let Some(v) = part("version") {
            let av = match part("group") {
                Some(g) if !g.is_empty() => format!("{g}/{v}"),
                _ => v.to_string(),
            };
            added.push(("apiVersion", av));
        }
    }
    let NodeKind::Map(entries) = &mut object.kind else {
        return;
    };
    for (key, value) in added {
        entries.push(layout.entry(key, value, 3));
    }
    if !entries.iter().any(|(k, _)| k.as_str() == Some("metadata")) {
        layout.line += 1;
        let key = layout.scalar("metadata".into(), ScalarStyle::DoubleQuoted, 3);
        let at = Pos::new(layout.line, key.span.end.col + 2);
        let value = Node {
            kind: NodeKind::Map(Vec::new()),
            span: layout.span(at, Pos::new(layout.line, at.col + 1)),
        };
        entries.push((key, value));
    }
    if namespace.is_empty() {
        return;
    }
    let Some((_, meta)) = entries
        .iter_mut()
        .rev()
        .find(|(k, _)| k.as_str() == Some("metadata"))
    else {
        return;
    };
    let has_namespace = meta.get("namespace").and_then(json_str).is_some();
    if let (NodeKind::Map(meta), false) = (&mut meta.kind, has_namespace) {
        meta.push(layout.entry("namespace", namespace.to_string(), 5));
    }
}

/// `StatefulSet ns/name`, for the denial message.
fn describe(request: &Request, namespace: &str) -> String {
    let kind = request
        .kind
        .as_ref()
        .and_then(|k| k.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or("object");
    let name = text(&request.name);
    match (namespace.is_empty(), name.is_empty()) {
        (_, true) => kind.to_string(),
        (true, false) => format!("{kind} {name}"),
        (false, false) => format!("{kind} {namespace}/{name}"),
    }
}

/// A Strimzi `Kafka` whose nodes come from `KafkaNodePool`s: with the annotation, or in KRaft
/// with no `spec.kafka.replicas` (Strimzi 0.46+ requires pools).
fn strimzi_uses_pools(object: &Node) -> bool {
    let is_kafka = object.get("kind").and_then(json_str) == Some("Kafka")
        && object
            .get("apiVersion")
            .and_then(json_str)
            .is_some_and(|v| v.starts_with("kafka.strimzi.io/"));
    if !is_kafka {
        return false;
    }
    let annotated = object
        .path(&["metadata", "annotations", "strimzi.io/node-pools"])
        .and_then(json_str)
        == Some("enabled");
    let spec = object.get("spec");
    let no_replicas = spec
        .and_then(|s| s.get("kafka"))
        .is_some_and(|k| k.get("replicas").is_none());
    let zookeeper = spec.and_then(|s| s.get("zookeeper")).is_some();
    annotated || (no_replicas && !zookeeper)
}

fn category(code: &str) -> Option<Category> {
    kafkalint_rules::find_rule(code).map(|r| r.meta().category)
}

/// Whether a finding depends on what a node pool not in the request may override: a pool sets
/// its own resources, JVM options, storage and pod template.
fn pool_overridable(code: &str) -> bool {
    code == "TOP007" || matches!(category(code), Some(Category::Memory | Category::Storage))
}

/// Rules that judge an object by what other objects say, or by their absence. A request
/// carries one object, so these would guess.
fn needs_other_objects(code: &str, kind: &str) -> bool {
    match code {
        // A suppression may be for a finding that needs the whole input to fire.
        "SUP002" => true,
        // One cluster's brokers may span several workloads; a request shows one.
        "REP003" => true,
        // A namespace LimitRange may give the pods a default limit; Pods arrive with it applied.
        "MEM004" => kind != "Pod",
        // The topic's cluster may bound it with log.retention.bytes.
        "RET002" => kind == "KafkaTopic",
        _ => false,
    }
}

/// Where a mounted file may replace the broker's config: `/mnt/shared/config` for
/// apache/kafka, a `*.properties` file, or a Kafka config directory.
fn config_mount(path: &str) -> bool {
    path.ends_with(".properties")
        || path.starts_with(kafkalint_model::image::APACHE_MOUNTED_CONF_DIR)
        || path.starts_with("/etc/kafka")
        || (path.contains("kafka") && (path.contains("/config") || path.contains("/conf")))
}

/// Positions of findings that come from a broker's defaults (packaged apache/kafka config,
/// "not set, so Kafka's default applies") when the request cannot show the config: a
/// ConfigMap mounted over the config file, or, for apache/kafka, an `envFrom` that may hold
/// `KAFKA_*` variables (which replace the packaged config).
fn default_positions(model: &kafkalint_model::Model) -> Vec<Pos> {
    let mut out = Vec::new();
    for b in &model.brokers {
        let (Some(container), Some(pod)) = (
            model.container_of(b),
            model.resource(b.resource).and_then(|r| r.pod_spec()),
        ) else {
            continue;
        };
        let env_from = container
            .get("envFrom")
            .is_some_and(|e| !e.as_seq().is_empty());
        let file_volumes: Vec<&str> = pod
            .get("volumes")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .filter(|v| {
                ["configMap", "secret", "projected"]
                    .iter()
                    .any(|k| v.get(k).is_some())
            })
            .filter_map(|v| v.text_at(&["name"]))
            .collect();
        let mounted = container
            .get("volumeMounts")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .any(|m| {
                let name = m.text_at(&["name"]).unwrap_or("");
                let path = format!(
                    "{}/{}",
                    m.text_at(&["mountPath"])
                        .unwrap_or("")
                        .trim_end_matches('/'),
                    m.text_at(&["subPath"]).unwrap_or("")
                );
                file_volumes.contains(&name) && config_mount(&path)
            });
        if mounted || (env_from && b.family == kafkalint_model::ImageFamily::Apache) {
            out.push(b.anchor.start);
            if let Some((_, span)) = &b.image {
                out.push(span.start);
            }
        }
    }
    out
}

/// Nodes for a JSON value at the positions `serde_json::to_string_pretty` would print it,
/// as the YAML parser would span them: every scalar on a line of its own, so each finding
/// has a distinct place and [`field_path`] finds it. Parsing the printed text instead costs
/// more than all the rules together.
struct Layout {
    source: kafkalint_syntax::SourceId,
    line: u32,
}

impl Layout {
    fn span(&self, start: Pos, end: Pos) -> kafkalint_syntax::Span {
        kafkalint_syntax::Span::new(self.source, start, end)
    }

    fn scalar(&self, value: String, style: ScalarStyle, col: u32) -> Node {
        // Most values are short printable ASCII: one byte a column, on one line.
        let simple = value.bytes().all(|b| (b' '..0x7f).contains(&b));
        let (chars, one_line) = if simple {
            (value.len() as u32, true)
        } else {
            let first = value.lines().next().unwrap_or("");
            (first.chars().count() as u32, !value.contains('\n'))
        };
        let width = match style {
            ScalarStyle::DoubleQuoted if one_line => chars + 2,
            _ => chars.max(1),
        };
        let at = Pos::new(self.line, col);
        Node {
            kind: NodeKind::Scalar { value, style },
            span: self.span(at, Pos::new(self.line, col + width)),
        }
    }

    /// A `"key": "value"` entry on a new line, the key at column `col`.
    fn entry(&mut self, key: &str, value: String, col: u32) -> (Node, Node) {
        self.line += 1;
        let key = self.scalar(key.to_string(), ScalarStyle::DoubleQuoted, col);
        let value = self.scalar(value, ScalarStyle::DoubleQuoted, key.span.end.col + 2);
        (key, value)
    }
}

/// Where a value is in the object: `metadata.managedFields`, which no rule reads and which can
/// be most of an object, is skipped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    Metadata,
    Other,
}

/// Reads one JSON value into a [`Node`] laid out by [`Layout`]. serde_json caps nesting at 128,
/// so the recursion is bounded.
struct NodeSeed<'l> {
    layout: &'l mut Layout,
    /// Column the value starts at.
    col: u32,
    depth: u32,
    place: Place,
}

impl NodeSeed<'_> {
    fn plain(self, text: String) -> Node {
        self.layout.scalar(text, ScalarStyle::Plain, self.col)
    }

    fn child(&mut self, col: u32, place: Place) -> NodeSeed<'_> {
        NodeSeed {
            layout: self.layout,
            col,
            depth: self.depth + 1,
            place,
        }
    }
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(self.plain("null".into()))
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(self.plain("null".into()))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(self.plain(v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(self.plain(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(self.plain(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        // As serde_json prints it (`1.0`, not `1`).
        let text = serde_json::Number::from_f64(v).map_or_else(|| "null".into(), |n| n.to_string());
        Ok(self.plain(text))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(self
            .layout
            .scalar(v.to_string(), ScalarStyle::DoubleQuoted, self.col))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(self.layout.scalar(v, ScalarStyle::DoubleQuoted, self.col))
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Node, A::Error> {
        let open = Pos::new(self.layout.line, self.col);
        let inner = (self.depth + 1) * 2 + 1;
        let mut nodes = Vec::new();
        loop {
            self.layout.line += 1;
            match seq.next_element_seed(self.child(inner, Place::Other))? {
                Some(node) => nodes.push(node),
                None => break,
            }
        }
        if nodes.is_empty() {
            self.layout.line -= 1;
            return Ok(Node {
                kind: NodeKind::Seq(nodes),
                span: self.layout.span(open, Pos::new(open.line, self.col + 1)),
            });
        }
        Ok(Node {
            kind: NodeKind::Seq(nodes),
            span: self
                .layout
                .span(open, Pos::new(self.layout.line, self.depth * 2 + 1)),
        })
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Node, A::Error> {
        let open = Pos::new(self.layout.line, self.col);
        let inner = (self.depth + 1) * 2 + 1;
        let mut entries: Vec<(Node, Node)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let place = match (self.place, key.as_str()) {
                (Place::Root, "metadata") => Place::Metadata,
                (Place::Metadata, "managedFields") => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                _ => Place::Other,
            };
            self.layout.line += 1;
            let key = self.layout.scalar(key, ScalarStyle::DoubleQuoted, inner);
            // `"key": value`
            let at = key.span.end.col + 2;
            let value = map.next_value_seed(self.child(at, place))?;
            entries.push((key, value));
        }
        if entries.is_empty() {
            return Ok(Node {
                kind: NodeKind::Map(entries),
                span: self.layout.span(open, Pos::new(open.line, self.col + 1)),
            });
        }
        self.layout.line += 1;
        let start = entries.first().map_or(open, |(k, _)| k.span.start);
        Ok(Node {
            kind: NodeKind::Map(entries),
            span: self
                .layout
                .span(start, Pos::new(self.layout.line, self.depth * 2 + 1)),
        })
    }
}

fn findings_of(
    ws: Workspace,
    id: kafkalint_syntax::SourceId,
    kind: &str,
    strimzi_pools: bool,
    options: &LintOptions,
) -> Vec<Finding> {
    let result = lint(ws, options);
    let root = result
        .model
        .resources
        .iter()
        .find(|r| r.file == id)
        .map(|r| &r.node);
    let defaults = default_positions(&result.model);
    result
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .filter(|d| !needs_other_objects(&d.code, kind))
        .filter(|d| !(strimzi_pools && pool_overridable(&d.code)))
        .filter(|d| {
            !(defaults.contains(&d.span.start) && category(&d.code) != Some(Category::Memory))
        })
        .map(|d| Finding {
            code: d.code.clone(),
            severity: d.severity,
            message: d.message.clone(),
            path: root
                .map(|n| field_path(n, d.span.start))
                .unwrap_or_default(),
            existing: false,
        })
        .collect()
}

fn respond(uid: String, findings: Vec<Finding>, warn_only: bool, what: &str) -> Review {
    let denying: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error && !f.existing && !warn_only)
        .collect();
    let mut warnings = Vec::new();
    let mut total = 0;
    let mut dropped = 0;
    for f in findings.iter().filter(|f| {
        f.severity == Severity::Warning
            || (f.severity == Severity::Error && (f.existing || warn_only))
    }) {
        let prefix = match (f.severity, f.existing) {
            (Severity::Error, true) => "already in the stored object: ",
            (Severity::Error, false) => "would be denied: ",
            _ => "",
        };
        let mut w = String::from(prefix);
        f.push_line(&mut w);
        let w = printable(w, WARNING_MAX_CHARS);
        if total + w.len() > WARNINGS_MAX_TOTAL - 64 {
            dropped += 1;
            continue;
        }
        total += w.len();
        warnings.push(w);
    }
    if dropped > 0 {
        warnings.push(format!("{dropped} more kafkalint warning(s) not shown"));
    }
    if denying.is_empty() {
        let verdict = if warnings.is_empty() {
            Verdict::Allowed
        } else {
            Verdict::Warned
        };
        return Review {
            response: response(&uid, true, None, &warnings),
            uid,
            verdict,
            findings,
        };
    }
    let mut message = format!("kafkalint: {what} has {} error(s):", denying.len());
    for f in denying.iter().take(DENY_MAX_LISTED) {
        message.push('\n');
        f.push_line(&mut message);
    }
    if denying.len() > DENY_MAX_LISTED {
        message.push_str(&format!("\n… and {} more", denying.len() - DENY_MAX_LISTED));
    }
    message.push_str(
        "\n(`kafkalint rule CODE` explains a rule; the annotation kafkalint.io/ignore: CODE with kafkalint.io/ignore-reason accepts one)",
    );
    let status =
        json!({ "status": "Failure", "code": 403, "reason": "Forbidden", "message": message });
    Review {
        response: response(&uid, false, Some(status), &warnings),
        uid,
        verdict: Verdict::Denied,
        findings,
    }
}

/// One line of printable text, at most `max` chars (the apiserver rejects control characters
/// in warnings and truncates long ones).
fn printable(s: String, max: usize) -> String {
    // Nearly always short and plain: keep it. Controls are below 0x20, 0x7f, or U+0080..U+009F
    // (lead byte 0xc2, which also starts some printable chars; those take the full pass).
    if s.len() <= max && !s.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
        return s;
    }
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if out.chars().count() > max {
        out = out.chars().take(max - 1).collect();
        out.push('…');
    }
    out
}

/// A glob where `*` matches any run of characters.
fn glob_match(glob: &str, text: &str) -> bool {
    let Some((head, rest)) = glob.split_once('*') else {
        return glob == text;
    };
    let Some(mut tail) = text.strip_prefix(head) else {
        return false;
    };
    let parts: Vec<&str> = rest.split('*').collect();
    let (last, middle) = match parts.split_last() {
        Some((l, m)) => (*l, m),
        None => return true,
    };
    for p in middle {
        match tail.find(p) {
            Some(i) => tail = &tail[i + p.len()..],
            None => return false,
        }
    }
    tail.len() >= last.len() && tail.ends_with(last)
}

/// The dotted path of the deepest node containing `pos`: `spec.template.spec.containers[0].image`.
pub fn field_path(node: &Node, pos: Pos) -> String {
    // Room for a typical `spec.template.spec.containers[0].env[12].value` without regrowing.
    let mut path = String::with_capacity(64);
    let mut current = node;
    'descend: loop {
        if current.is_map() {
            for (k, v) in current.as_map() {
                if contains(k, pos) {
                    push_key(&mut path, k.as_text().unwrap_or("?"));
                    break 'descend;
                }
                if contains(v, pos) {
                    push_key(&mut path, k.as_text().unwrap_or("?"));
                    current = v;
                    continue 'descend;
                }
            }
        } else if current.is_seq() {
            for (i, v) in current.as_seq().iter().enumerate() {
                if contains(v, pos) {
                    // Into the path, without a String of its own.
                    let _ = write!(path, "[{i}]");
                    current = v;
                    continue 'descend;
                }
            }
        }
        break;
    }
    path
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Whether `pos` is within the node; a zero-width node still holds its own start.
pub fn contains(node: &Node, pos: Pos) -> bool {
    node.span.start <= pos
        && pos
            < node
                .span
                .end
                .max(Pos::new(node.span.start.line, node.span.start.col + 1))
}
