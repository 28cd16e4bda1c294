//! Every rendered value keeps the span of the source that produced it.

use std::path::Path;

use kafkalint_kustomize::{build, MemFs, Options};
use kafkalint_syntax::{Node, SourceMap, Span};

fn render(files: &[(&str, &str)], dir: &str) -> (Vec<Node>, SourceMap) {
    let fs: MemFs = files.iter().copied().collect();
    let mut sources = SourceMap::new();
    let r = build(&fs, Path::new(dir), dir, &mut sources, &Options::default())
        .unwrap_or_else(|e| panic!("build failed: {e}"));
    (r.resources, sources)
}

fn find<'a>(res: &'a [Node], kind: &str) -> &'a Node {
    res.iter()
        .find(|r| r.get("kind").and_then(Node::as_str) == Some(kind))
        .unwrap_or_else(|| panic!("no {kind}"))
}

fn at(sources: &SourceMap, span: Span) -> (String, u32, u32) {
    (
        sources.path(span.source).to_string(),
        span.start.line,
        span.start.col,
    )
}

const BASE_DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: kafka-ui
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: ui
        image: provectuslabs/kafka-ui:v0.7.1
        envFrom:
        - configMapRef:
            name: ui-env
";

#[test]
fn overlay_patch_env_file_and_literal_lines() {
    let files = [
        ("base/deploy.yaml", BASE_DEPLOY),
        ("base/kustomization.yaml", "resources:\n- deploy.yaml\n"),
        (
            "overlays/prod/kustomization.yaml",
            "namespace: streaming\nresources:\n- ../../base\npatches:\n- path: replicas.yaml\nconfigMapGenerator:\n- name: ui-env\n  envs:\n  - ui.env\n  literals:\n  - LOGGING_LEVEL_ROOT=info\n  - \"DYNAMIC_CONFIG_ENABLED='true'\"\n",
        ),
        (
            "overlays/prod/replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: kafka-ui\nspec:\n  # three replicas in prod\n  replicas: 3\n",
        ),
        (
            "overlays/prod/ui.env",
            "# cluster settings\nKAFKA_CLUSTERS_0_NAME=main\nKAFKA_CLUSTERS_0_BOOTSTRAPSERVERS=kafka:9092\n",
        ),
    ];
    let (res, sources) = render(&files, "overlays/prod");

    let deploy = find(&res, "Deployment");
    // From the overlay patch: the patch file's line 7, column 13.
    let replicas = deploy.path(&["spec", "replicas"]).unwrap();
    assert_eq!(replicas.as_str(), Some("3"));
    assert_eq!(
        at(&sources, replicas.span),
        ("overlays/prod/replicas.yaml".into(), 7, 13)
    );
    // Untouched base values keep the base file's position.
    let image = deploy
        .path(&["spec", "template", "spec", "containers"])
        .and_then(|c| c.as_seq().first())
        .and_then(|c| c.get("image"))
        .unwrap();
    assert_eq!(
        at(&sources, image.span),
        ("base/deploy.yaml".into(), 11, 16)
    );
    // The injected namespace points at the `namespace:` value.
    let ns = deploy.path(&["metadata", "namespace"]).unwrap();
    assert_eq!(
        at(&sources, ns.span),
        ("overlays/prod/kustomization.yaml".into(), 1, 12)
    );
    // The reference updated to the hashed name keeps the base line it was written on.
    let cm_ref = deploy
        .path(&["spec", "template", "spec", "containers"])
        .and_then(|c| c.as_seq().first())
        .and_then(|c| c.get("envFrom"))
        .and_then(|e| e.as_seq().first())
        .and_then(|e| e.path(&["configMapRef", "name"]))
        .unwrap();
    assert!(cm_ref.as_str().unwrap().starts_with("ui-env-"));
    assert_eq!(at(&sources, cm_ref.span).0, "base/deploy.yaml");
    assert_eq!(cm_ref.span.start.line, 14);

    let cm = find(&res, "ConfigMap");
    let data = cm.get("data").unwrap();
    // From `envs:`: the env file's line, the value part.
    let bootstrap = data.get("KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS").unwrap();
    assert_eq!(bootstrap.as_str(), Some("kafka:9092"));
    assert_eq!(
        at(&sources, bootstrap.span),
        ("overlays/prod/ui.env".into(), 3, 35)
    );
    let name = data.get("KAFKA_CLUSTERS_0_NAME").unwrap();
    assert_eq!(
        at(&sources, name.span),
        ("overlays/prod/ui.env".into(), 2, 23)
    );
    // From `literals:`: the literal's line in kustomization.yaml, narrowed to the value.
    let level = data.get("LOGGING_LEVEL_ROOT").unwrap();
    assert_eq!(
        at(&sources, level.span),
        ("overlays/prod/kustomization.yaml".into(), 11, 24)
    );
    // A value that must be emitted quoted ("true" as a string) gets a span over notional
    // quotes, like any quoted scalar, so readers skipping the quote land on column 30.
    let dynamic = data.get("DYNAMIC_CONFIG_ENABLED").unwrap();
    assert_eq!(dynamic.as_str(), Some("true"));
    assert_eq!(
        at(&sources, dynamic.span),
        ("overlays/prod/kustomization.yaml".into(), 12, 29)
    );
    assert_eq!(dynamic.span.end.col - dynamic.span.start.col, 6);
    // The generated name (with its hash) points at the generator's `name:`.
    let cm_name = cm.path(&["metadata", "name"]).unwrap();
    assert_eq!(
        at(&sources, cm_name.span),
        ("overlays/prod/kustomization.yaml".into(), 7, 9)
    );
}

#[test]
fn inline_patch_lines_point_into_kustomization() {
    let files = [
        ("deploy.yaml", BASE_DEPLOY),
        (
            "kustomization.yaml",
            "resources:\n- deploy.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: kafka-ui\n    spec:\n      replicas: 2\n",
        ),
    ];
    let files2: Vec<(String, &str)> = files
        .iter()
        .map(|(p, t)| (format!("app/{p}"), *t))
        .collect();
    let fs: MemFs = files2.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let mut sources2 = SourceMap::new();
    let r = build(
        &fs,
        Path::new("app"),
        "app",
        &mut sources2,
        &Options::default(),
    )
    .unwrap();
    let replicas = find(&r.resources, "Deployment")
        .path(&["spec", "replicas"])
        .unwrap();
    assert_eq!(
        at(&sources2, replicas.span),
        ("app/kustomization.yaml".into(), 10, 17)
    );
}

#[test]
fn secret_and_files_provenance() {
    let files = [
        (
            "kustomization.yaml",
            "secretGenerator:\n- name: jaas\n  files:\n  - jaas.conf\n  literals:\n  - user=admin\n",
        ),
        ("jaas.conf", "KafkaClient {\n  required;\n};\n"),
    ];
    let (res, sources) = render(&files, ".");
    let s = find(&res, "Secret");
    let conf = s.path(&["data", "jaas.conf"]).unwrap();
    assert_eq!(at(&sources, conf.span), ("jaas.conf".into(), 1, 1));
    let user = s.path(&["data", "user"]).unwrap();
    assert_eq!(user.as_str(), Some("YWRtaW4="));
    assert_eq!(
        at(&sources, user.span),
        ("kustomization.yaml".into(), 6, 10)
    );
}
