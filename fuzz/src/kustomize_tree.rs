//! The kustomize resolver over small trees generated in memory: kustomizations in a handful of
//! directories naming each other (cycles, escapes from the root, missing and remote paths
//! included), resources, patches of every form, generators, replacements; then the rendered
//! objects are printed and linted. Words come mostly from a small vocabulary so names, kinds
//! and labels match often enough for patches and replacements to apply.

use std::fmt::Write as _;
use std::path::Path;

use arbitrary::Arbitrary;
use kafkalint_engine::{lint, LintOptions, Workspace};
use kafkalint_kustomize::{build, to_yaml, LoadRestrictor, MemFs, Options};

/// Built once: parsing the default policy pack per input would dominate the run.
fn options() -> &'static LintOptions {
    static OPTIONS: std::sync::OnceLock<LintOptions> = std::sync::OnceLock::new();
    OPTIONS.get_or_init(LintOptions::default)
}

const DIRS: [&str; 5] = [
    "app",
    "app/base",
    "app/base/common",
    "app/overlay",
    "shared",
];
const FILES: [&str; 5] = ["r0.yaml", "r1.yaml", "patch.yaml", "app.env", "data.txt"];
const KUST_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const WORDS: [&str; 12] = [
    "kafka",
    "broker",
    "app",
    "cm",
    "kafka-config",
    "prod",
    "",
    "x",
    "a.b",
    "my-cluster",
    "KAFKA_HEAP_OPTS",
    "-Xmx1g",
];
const KINDS: [&str; 8] = [
    "ConfigMap",
    "StatefulSet",
    "Deployment",
    "Service",
    "Kafka",
    "KafkaTopic",
    "Secret",
    "Component",
];

#[derive(Arbitrary, Debug)]
enum Word {
    Known(u8),
    Any(String),
}

impl Word {
    fn text(&self) -> String {
        match self {
            Word::Known(i) => WORDS[*i as usize % WORDS.len()].to_string(),
            Word::Any(s) => s.clone(),
        }
    }

    /// As a YAML double-quoted scalar (JSON escaping is valid YAML).
    fn quoted(&self) -> String {
        quote(&self.text())
    }
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[derive(Arbitrary, Debug)]
enum Ref {
    Dir(u8),
    File(u8, u8),
    Escape,
    Remote,
    Absolute,
    Raw(String),
}

impl Ref {
    fn path(&self, from: &str) -> String {
        match self {
            Ref::Dir(d) => relative(from, DIRS[*d as usize % DIRS.len()]),
            Ref::File(d, f) => format!(
                "{}/{}",
                relative(from, DIRS[*d as usize % DIRS.len()]),
                FILES[*f as usize % FILES.len()]
            ),
            Ref::Escape => "../../../../etc/passwd".into(),
            Ref::Remote => "github.com/example/repo//deploy?ref=v1".into(),
            Ref::Absolute => "/app/base".into(),
            Ref::Raw(s) => s.clone(),
        }
    }
}

/// `to` as seen from `from`, both directories of the tree.
fn relative(from: &str, to: &str) -> String {
    let f: Vec<&str> = from.split('/').collect();
    let t: Vec<&str> = to.split('/').collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; f.len() - common];
    parts.extend(&t[common..]);
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

#[derive(Arbitrary, Debug)]
enum Doc {
    Object {
        kind: u8,
        name: Word,
        namespace: Option<Word>,
        labels: Vec<(Word, Word)>,
        env: Vec<(Word, Word)>,
        replicas: Option<i8>,
        config_ref: Option<Word>,
    },
    Raw(String),
}

impl Doc {
    fn text(&self) -> String {
        let Doc::Object {
            kind,
            name,
            namespace,
            labels,
            env,
            replicas,
            config_ref,
        } = self
        else {
            let Doc::Raw(s) = self else {
                return String::new();
            };
            return s.clone();
        };
        let kind = KINDS[*kind as usize % KINDS.len()];
        let api = match kind {
            "Kafka" | "KafkaTopic" => "kafka.strimzi.io/v1beta2",
            "StatefulSet" | "Deployment" => "apps/v1",
            "Component" => "kustomize.config.k8s.io/v1alpha1",
            _ => "v1",
        };
        let mut s = format!(
            "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {}\n",
            name.quoted()
        );
        if let Some(ns) = namespace {
            let _ = writeln!(s, "  namespace: {}", ns.quoted());
        }
        if !labels.is_empty() {
            s.push_str("  labels:\n");
            for (k, v) in labels {
                let _ = writeln!(s, "    {}: {}", k.quoted(), v.quoted());
            }
        }
        match kind {
            "ConfigMap" | "Secret" => {
                s.push_str("data:\n");
                for (k, v) in env {
                    let _ = writeln!(s, "  {}: {}", k.quoted(), v.quoted());
                }
            }
            "StatefulSet" | "Deployment" => {
                s.push_str("spec:\n");
                if let Some(r) = replicas {
                    let _ = writeln!(s, "  replicas: {r}");
                }
                s.push_str("  template:\n    spec:\n      containers:\n      - name: kafka\n        image: bitnami/kafka:3.9\n");
                if let Some(cm) = config_ref {
                    let _ = writeln!(
                        s,
                        "        envFrom:\n        - configMapRef:\n            name: {}",
                        cm.quoted()
                    );
                }
                if !env.is_empty() {
                    s.push_str("        env:\n");
                    for (k, v) in env {
                        let _ = writeln!(
                            s,
                            "        - name: {}\n          value: {}",
                            k.quoted(),
                            v.quoted()
                        );
                    }
                }
            }
            "Kafka" | "KafkaTopic" => {
                s.push_str("spec:\n");
                if let Some(r) = replicas {
                    let _ = writeln!(s, "  replicas: {r}\n  partitions: {r}");
                }
                s.push_str("  config:\n");
                for (k, v) in env {
                    let _ = writeln!(s, "    {}: {}", k.quoted(), v.quoted());
                }
            }
            _ => {}
        }
        s
    }
}

#[derive(Arbitrary, Debug)]
struct Target {
    kind: Option<u8>,
    name: Option<Word>,
    label_selector: Option<Word>,
}

impl Target {
    fn write(&self, s: &mut String, indent: &str) {
        let _ = writeln!(s, "{indent}target:");
        if let Some(k) = self.kind {
            let _ = writeln!(s, "{indent}  kind: {}", KINDS[k as usize % KINDS.len()]);
        }
        if let Some(n) = &self.name {
            let _ = writeln!(s, "{indent}  name: {}", n.quoted());
        }
        if let Some(l) = &self.label_selector {
            let _ = writeln!(s, "{indent}  labelSelector: {}", l.quoted());
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Op {
    Add(Word, Word),
    Replace(Word, Word),
    Remove(Word),
}

#[derive(Arbitrary, Debug)]
enum Patch {
    File(Ref, Option<Target>),
    Inline(Doc, Option<Target>),
    Json6902(Vec<Op>, Target),
}

#[derive(Arbitrary, Debug)]
struct Generator {
    name: Word,
    literals: Vec<(Word, Word)>,
    envs: Vec<Ref>,
    files: Vec<Ref>,
    behavior: Option<u8>,
}

#[derive(Arbitrary, Debug)]
struct Replacement {
    source_kind: u8,
    source_name: Word,
    field_path: Word,
    target_kind: u8,
    target_path: Word,
}

#[derive(Arbitrary, Debug)]
enum Field {
    Resources(Vec<Ref>),
    Bases(Vec<Ref>),
    Components(Vec<Ref>),
    NamePrefix(Word),
    NameSuffix(Word),
    Namespace(Word),
    CommonLabels(Vec<(Word, Word)>),
    CommonAnnotations(Vec<(Word, Word)>),
    PatchesStrategicMerge(Vec<Ref>),
    Patches(Vec<Patch>),
    Images(Vec<(Word, Option<Word>, Option<Word>)>),
    Replicas(Vec<(Word, i16)>),
    ConfigMapGenerator(Vec<Generator>),
    SecretGenerator(Vec<Generator>),
    DisableNameSuffixHash(bool),
    Replacements(Vec<Replacement>),
    Raw(String),
}

fn pairs(s: &mut String, key: &str, items: &[(Word, Word)]) {
    let _ = writeln!(s, "{key}:");
    for (k, v) in items {
        let _ = writeln!(s, "  {}: {}", k.quoted(), v.quoted());
    }
}

fn list(s: &mut String, key: &str, items: &[Ref], from: &str) {
    let _ = writeln!(s, "{key}:");
    for r in items {
        let _ = writeln!(s, "- {}", quote(&r.path(from)));
    }
}

fn generators(s: &mut String, key: &str, gens: &[Generator], from: &str) {
    let _ = writeln!(s, "{key}:");
    for g in gens {
        let _ = writeln!(s, "- name: {}", g.name.quoted());
        if let Some(b) = g.behavior {
            let _ = writeln!(
                s,
                "  behavior: {}",
                ["create", "merge", "replace", "bogus"][b as usize % 4]
            );
        }
        if !g.literals.is_empty() {
            s.push_str("  literals:\n");
            for (k, v) in &g.literals {
                let _ = writeln!(s, "  - {}", quote(&format!("{}={}", k.text(), v.text())));
            }
        }
        if !g.envs.is_empty() {
            s.push_str("  envs:\n");
            for r in &g.envs {
                let _ = writeln!(s, "  - {}", quote(&r.path(from)));
            }
        }
        if !g.files.is_empty() {
            s.push_str("  files:\n");
            for r in &g.files {
                let _ = writeln!(s, "  - {}", quote(&r.path(from)));
            }
        }
    }
}

impl Field {
    fn write(&self, s: &mut String, from: &str) {
        match self {
            Field::Resources(r) => list(s, "resources", r, from),
            Field::Bases(r) => list(s, "bases", r, from),
            Field::Components(r) => list(s, "components", r, from),
            Field::NamePrefix(w) => {
                let _ = writeln!(s, "namePrefix: {}", w.quoted());
            }
            Field::NameSuffix(w) => {
                let _ = writeln!(s, "nameSuffix: {}", w.quoted());
            }
            Field::Namespace(w) => {
                let _ = writeln!(s, "namespace: {}", w.quoted());
            }
            Field::CommonLabels(p) => pairs(s, "commonLabels", p),
            Field::CommonAnnotations(p) => pairs(s, "commonAnnotations", p),
            Field::PatchesStrategicMerge(r) => list(s, "patchesStrategicMerge", r, from),
            Field::Patches(patches) => {
                s.push_str("patches:\n");
                for p in patches {
                    match p {
                        Patch::File(r, t) => {
                            let _ = writeln!(s, "- path: {}", quote(&r.path(from)));
                            if let Some(t) = t {
                                t.write(s, "  ");
                            }
                        }
                        Patch::Inline(doc, t) => {
                            let _ = writeln!(s, "- patch: {}", quote(&doc.text()));
                            if let Some(t) = t {
                                t.write(s, "  ");
                            }
                        }
                        Patch::Json6902(ops, t) => {
                            let mut json = String::from("[");
                            for (i, op) in ops.iter().enumerate() {
                                if i > 0 {
                                    json.push(',');
                                }
                                let _ = match op {
                                    Op::Add(p, v) => write!(
                                        json,
                                        "{{\"op\":\"add\",\"path\":{},\"value\":{}}}",
                                        p.quoted(),
                                        v.quoted()
                                    ),
                                    Op::Replace(p, v) => write!(
                                        json,
                                        "{{\"op\":\"replace\",\"path\":{},\"value\":{}}}",
                                        p.quoted(),
                                        v.quoted()
                                    ),
                                    Op::Remove(p) => write!(
                                        json,
                                        "{{\"op\":\"remove\",\"path\":{}}}",
                                        p.quoted()
                                    ),
                                };
                            }
                            json.push(']');
                            let _ = writeln!(s, "- patch: {}", quote(&json));
                            t.write(s, "  ");
                        }
                    }
                }
            }
            Field::Images(images) => {
                s.push_str("images:\n");
                for (name, new_name, tag) in images {
                    let _ = writeln!(s, "- name: {}", name.quoted());
                    if let Some(n) = new_name {
                        let _ = writeln!(s, "  newName: {}", n.quoted());
                    }
                    if let Some(t) = tag {
                        let _ = writeln!(s, "  newTag: {}", t.quoted());
                    }
                }
            }
            Field::Replicas(r) => {
                s.push_str("replicas:\n");
                for (name, count) in r {
                    let _ = writeln!(s, "- name: {}\n  count: {count}", name.quoted());
                }
            }
            Field::ConfigMapGenerator(g) => generators(s, "configMapGenerator", g, from),
            Field::SecretGenerator(g) => generators(s, "secretGenerator", g, from),
            Field::DisableNameSuffixHash(b) => {
                let _ = writeln!(s, "generatorOptions:\n  disableNameSuffixHash: {b}");
            }
            Field::Replacements(reps) => {
                s.push_str("replacements:\n");
                for r in reps {
                    let _ = writeln!(
                        s,
                        "- source:\n    kind: {}\n    name: {}\n    fieldPath: {}\n  targets:\n  - select:\n      kind: {}\n    fieldPaths:\n    - {}",
                        KINDS[r.source_kind as usize % KINDS.len()],
                        r.source_name.quoted(),
                        r.field_path.quoted(),
                        KINDS[r.target_kind as usize % KINDS.len()],
                        r.target_path.quoted()
                    );
                }
            }
            Field::Raw(text) => {
                s.push_str(text);
                s.push('\n');
            }
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Kustomization {
    dir: u8,
    file_name: u8,
    component: bool,
    fields: Vec<Field>,
}

#[derive(Arbitrary, Debug)]
enum Content {
    Doc(Doc),
    Stream(Vec<Doc>),
    Env(Vec<(Word, Word)>),
}

#[derive(Arbitrary, Debug)]
struct Tree {
    root: u8,
    unrestricted: bool,
    kustomizations: Vec<Kustomization>,
    files: Vec<(u8, u8, Content)>,
}

/// One fuzz input, decoded as libfuzzer-sys decodes `Tree`.
pub fn run(data: &[u8]) {
    let Ok(tree) =
        <Tree as arbitrary::Arbitrary>::arbitrary_take_rest(arbitrary::Unstructured::new(data))
    else {
        return;
    };
    let mut fs = MemFs::new();
    for (d, f, content) in &tree.files {
        let text = match content {
            Content::Doc(doc) => doc.text(),
            Content::Stream(docs) => docs
                .iter()
                .map(Doc::text)
                .collect::<Vec<_>>()
                .join("\n---\n"),
            Content::Env(pairs) => pairs
                .iter()
                .map(|(k, v)| format!("{}={}\n", k.text(), v.text()))
                .collect(),
        };
        let dir = DIRS[*d as usize % DIRS.len()];
        fs.insert(format!("{dir}/{}", FILES[*f as usize % FILES.len()]), text);
    }
    for k in &tree.kustomizations {
        let dir = DIRS[k.dir as usize % DIRS.len()];
        let mut s = String::new();
        if k.component {
            s.push_str("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n");
        }
        for f in &k.fields {
            f.write(&mut s, dir);
        }
        fs.insert(
            format!(
                "{dir}/{}",
                KUST_NAMES[k.file_name as usize % KUST_NAMES.len()]
            ),
            s,
        );
    }
    let root = DIRS[tree.root as usize % DIRS.len()];
    let opts = Options {
        load_restrictor: if tree.unrestricted {
            LoadRestrictor::None
        } else {
            LoadRestrictor::RootOnly
        },
        max_depth: 8,
        max_resources: 500,
        ..Options::default()
    };
    let mut ws = Workspace::new();
    if let Ok(rendered) = build(&fs, Path::new(root), root, &mut ws.sources, &opts) {
        let _ = to_yaml(&rendered.resources);
        for doc in rendered.resources {
            ws.add_documents(doc.span.source, vec![doc]);
        }
        let _ = lint(ws, options());
    }
}
