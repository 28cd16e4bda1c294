//! Refusals: each error names the file and the field, and never hangs or panics.

use std::path::Path;

use kafkalint_kustomize::{build, KustomizeError, LoadRestrictor, MemFs, Options, RealFs};
use kafkalint_syntax::SourceMap;

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

fn fail(files: &[(&str, &str)], dir: &str, opts: &Options) -> KustomizeError {
    let fs: MemFs = files.iter().copied().collect();
    let mut sources = SourceMap::new();
    match build(&fs, Path::new(dir), dir, &mut sources, opts) {
        Ok(r) => panic!("expected an error, got {} resources", r.resources.len()),
        Err(e) => e,
    }
}

#[test]
fn cycle_names_the_chain() {
    let files = [
        ("a/kustomization.yaml", "resources:\n- ../b\n"),
        ("b/kustomization.yaml", "resources:\n- ../a\n"),
    ];
    let e = fail(&files, "a", &Options::default());
    let s = e.to_string();
    assert!(s.contains("cycle detected"), "{s}");
    assert!(s.contains("a -> b -> a"), "{s}");
    assert_eq!(e.file, "b/kustomization.yaml");
    assert!(s.contains("`resources`"), "{s}");
    assert_eq!(e.span.map(|s| s.start.line), Some(2));
}

#[test]
fn file_outside_root_is_refused_unless_unrestricted() {
    let files = [
        (
            "app/kustomization.yaml",
            "resources:\n- ../shared/cm.yaml\n",
        ),
        ("shared/cm.yaml", CM),
    ];
    let e = fail(&files, "app", &Options::default());
    let s = e.to_string();
    assert!(s.contains("shared/cm.yaml"), "{s}");
    assert!(s.contains("`resources`"), "{s}");
    assert!(s.contains("not in or below"), "{s}");
    assert!(s.starts_with("app/kustomization.yaml:2:3:"), "{s}");

    let fs: MemFs = files.iter().copied().collect();
    let opts = Options {
        load_restrictor: LoadRestrictor::None,
        ..Options::default()
    };
    let r = build(&fs, Path::new("app"), "app", &mut SourceMap::new(), &opts).unwrap();
    assert_eq!(r.resources.len(), 1);
}

#[test]
fn generator_file_outside_root() {
    let files = [
        (
            "app/kustomization.yaml",
            "configMapGenerator:\n- name: x\n  files:\n  - ../secret.txt\n",
        ),
        ("secret.txt", "hunter2"),
    ];
    let s = fail(&files, "app", &Options::default()).to_string();
    assert!(
        s.contains("secret.txt") && s.contains("configMapGenerator.files"),
        "{s}"
    );
}

#[test]
fn remote_resource_is_not_fetched() {
    let files = [(
        "kustomization.yaml",
        "resources:\n- github.com/strimzi/strimzi-kafka-operator/install/cluster-operator?ref=0.40.0\n",
    )];
    let e = fail(&files, ".", &Options::default());
    let s = e.to_string();
    assert!(s.contains("not supported: remote resource"), "{s}");
    assert!(s.contains("no network access"), "{s}");
    assert!(
        s.contains("named in `resources` of kustomization.yaml"),
        "{s}"
    );
    let files = [(
        "kustomization.yaml",
        "resources:\n- https://example.com/all.yaml\n",
    )];
    assert!(fail(&files, ".", &Options::default())
        .to_string()
        .contains("remote resource"));
}

#[test]
fn remote_components_and_patch_files_are_not_fetched() {
    let files = [(
        "app/kustomization.yaml",
        "resources: []\ncomponents:\n- github.com/acme/kafka-components/tls?ref=v1\n",
    )];
    let e = fail(&files, "app", &Options::default());
    let s = e.to_string();
    assert!(
        s.contains(
            "not supported: remote component 'github.com/acme/kafka-components/tls?ref=v1' named in `components` of app/kustomization.yaml (no network access)"
        ),
        "{s}"
    );
    assert_eq!(e.file, "app/kustomization.yaml");
    assert_eq!(e.span.map(|s| (s.start.line, s.start.col)), Some((3, 3)));

    // Patch files by every field that reads one; none is fetched.
    for (field, text) in [
        (
            "patches",
            "patches:\n- path: https://example.com/heap.yaml\n",
        ),
        (
            "patchesStrategicMerge",
            "patchesStrategicMerge:\n- https://example.com/heap.yaml\n",
        ),
        (
            "patchesJson6902",
            "patchesJson6902:\n- target: {kind: StatefulSet, name: kafka}\n  path: https://example.com/heap.yaml\n",
        ),
    ] {
        let files = [("app/kustomization.yaml", text)];
        let e = fail(&files, "app", &Options::default());
        let s = e.to_string();
        assert!(
            s.contains(&format!(
                "not supported: remote file 'https://example.com/heap.yaml' named in `{field}` of app/kustomization.yaml (no network access)"
            )),
            "{field}: {s}"
        );
        assert_eq!(e.file, "app/kustomization.yaml", "{field}");
    }
}

#[test]
fn unsupported_fields_are_named() {
    let files = [(
        "kustomization.yaml",
        "helmCharts:\n- name: kafka\n  repo: https://charts.bitnami.com/bitnami\n",
    )];
    let e = fail(&files, ".", &Options::default());
    let s = e.to_string();
    assert!(
        s.contains("not supported: `helmCharts` in kustomization.yaml"),
        "{s}"
    );
    assert_eq!(e.file, "kustomization.yaml");
    assert_eq!(e.span.map(|s| (s.start.line, s.start.col)), Some((1, 1)));
    // Every refused field, in a subdirectory so the file name in the message is the real one,
    // after a harmless first line so the position is the field's own.
    for (field, what) in [
        ("generators", "`generators` plugins"),
        ("validators", "`validators` plugins"),
        ("transformers", "`transformers` plugins"),
        ("vars", "legacy `vars` (use replacements)"),
        ("configurations", "`configurations`"),
        ("buildMetadata", "`buildMetadata`"),
        ("openapi", "`openapi`"),
        ("crds", "`crds`"),
        ("helmGlobals", "`helmGlobals`"),
        (
            "helmChartInflationGenerator",
            "`helmChartInflationGenerator`",
        ),
    ] {
        let text = format!("resources: []\n{field}:\n- plugin.yaml\n");
        let files = [("app/kustomization.yaml", text.as_str())];
        let e = fail(&files, "app", &Options::default());
        let s = e.to_string();
        assert!(
            s.contains(&format!("not supported: {what} in app/kustomization.yaml")),
            "{field}: {s}"
        );
        assert_eq!(e.file, "app/kustomization.yaml", "{field}");
        assert_eq!(
            e.span.map(|s| (s.start.line, s.start.col)),
            Some((2, 1)),
            "{field}"
        );
    }
    // A generator plugin named by a nested kustomization names that file, not the root.
    let files = [
        ("app/kustomization.yaml", "resources:\n- ../gen\n"),
        ("gen/kustomization.yaml", "generators:\n- secrets.yaml\n"),
    ];
    let s = fail(&files, "app", &Options::default()).to_string();
    assert!(
        s.contains("not supported: `generators` plugins in gen/kustomization.yaml"),
        "{s}"
    );
    // Empty values are harmless, as in kustomize.
    let files = [("kustomization.yaml", "helmCharts: []\nresources: []\n")];
    let fs: MemFs = files.iter().copied().collect();
    assert!(build(
        &fs,
        Path::new("."),
        ".",
        &mut SourceMap::new(),
        &Options::default()
    )
    .is_ok());
    // Unknown fields are errors, as kustomize's strict parse makes them.
    let files = [("kustomization.yaml", "resource:\n- a.yaml\n")];
    let s = fail(&files, ".", &Options::default()).to_string();
    assert!(s.contains("unknown field \"resource\""), "{s}");
}

#[test]
fn missing_files_name_field_and_file() {
    let files = [("k/kustomization.yaml", "resources:\n- nope.yaml\n")];
    let s = fail(&files, "k", &Options::default()).to_string();
    assert!(
        s.contains("k/nope.yaml") && s.contains("`resources` of k/kustomization.yaml"),
        "{s}"
    );

    let files = [(
        "k/kustomization.yaml",
        "patchesStrategicMerge:\n- gone.yaml\n",
    )];
    let s = fail(&files, "k", &Options::default()).to_string();
    assert!(
        s.contains("gone.yaml") && s.contains("patchesStrategicMerge"),
        "{s}"
    );

    let files = [(
        "k/kustomization.yaml",
        "configMapGenerator:\n- name: c\n  envs: [missing.env]\n",
    )];
    let s = fail(&files, "k", &Options::default()).to_string();
    assert!(
        s.contains("missing.env") && s.contains("configMapGenerator.envs"),
        "{s}"
    );

    let files = [("k/other.yaml", CM)];
    let s = fail(&files, "k", &Options::default()).to_string();
    assert!(
        s.contains("unable to find one of 'kustomization.yaml'"),
        "{s}"
    );
}

#[test]
fn depth_and_resource_limits() {
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..10 {
        files.push((
            format!("l{i}/kustomization.yaml"),
            format!("resources:\n- ../l{}\n", i + 1),
        ));
    }
    files.push(("l10/kustomization.yaml".into(), "resources: []\n".into()));
    let fs: MemFs = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let opts = Options {
        max_depth: 4,
        ..Options::default()
    };
    let e = build(&fs, Path::new("l0"), "l0", &mut SourceMap::new(), &opts).unwrap_err();
    assert!(e.to_string().contains("limit max_depth"), "{e}");

    let many: String = (0..50)
        .map(|i| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n---\n"))
        .collect();
    let files = [
        ("kustomization.yaml", "resources:\n- many.yaml\n"),
        ("many.yaml", many.as_str()),
    ];
    let opts = Options {
        max_resources: 10,
        ..Options::default()
    };
    let s = fail(&files, ".", &opts).to_string();
    assert!(s.contains("limit max_resources"), "{s}");
}

#[test]
fn component_and_kind_mismatches() {
    let files = [
        ("app/kustomization.yaml", "components:\n- ../plain\n"),
        ("plain/kustomization.yaml", "resources: []\n"),
    ];
    let s = fail(&files, "app", &Options::default()).to_string();
    assert!(
        s.contains("expected kind 'Component'") && s.contains("`components`"),
        "{s}"
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    for text in [
        "resources: 3\n",
        "resources:\n- {a: b}\n",
        "[1, 2]\n",
        "namePrefix: [x]\nresources: []\n",
        "patches:\n- patch: 'x: ['\n",
        "patches:\n- patch: \"- op: add\\n  path: /a\\n  value: 1\\n\"\n",
        "replicas:\n- name: x\n  count: many\n",
        "configMapGenerator:\n- literals: [a=1]\n",
        "configMapGenerator:\n- name: x\n  literals: [=1]\n",
        "replacements:\n- source: {kind: X}\n",
        "images:\n- newTag: x\n",
        "kind: Component\n",
    ] {
        let files = [("kustomization.yaml", text)];
        let fs: MemFs = files.iter().copied().collect();
        let r = build(
            &fs,
            Path::new("."),
            ".",
            &mut SourceMap::new(),
            &Options::default(),
        );
        if let Err(e) = r {
            assert!(!e.message.is_empty());
        }
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang() {
    let dir = std::env::temp_dir().join(format!("kustomize-loop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("kustomization.yaml"),
        "resources:\n- loop\n- self\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.join("loop"), dir.join("loop")).unwrap();
    let e = build(
        &RealFs,
        &dir,
        "app",
        &mut SourceMap::new(),
        &Options::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("loop"), "{e}");
    std::fs::remove_file(dir.join("loop")).unwrap();
    // A symlink back to the kustomization itself is a cycle.
    std::os::unix::fs::symlink(&dir, dir.join("self")).unwrap();
    std::fs::write(dir.join("kustomization.yaml"), "resources:\n- self\n").unwrap();
    let e = build(
        &RealFs,
        &dir,
        "app",
        &mut SourceMap::new(),
        &Options::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("cycle detected"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
