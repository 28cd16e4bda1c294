//! Generated names end with the same hash kubectl kustomize computes (values recorded from
//! kubectl v1.32 / kustomize v5.5); the hash ignores the name, so prefixes do not change it.

use std::path::Path;

use kafkalint_kustomize::{build, MemFs, Options};
use kafkalint_syntax::{Node, SourceMap};

fn names(files: &[(&str, &str)]) -> Vec<String> {
    let fs: MemFs = files.iter().copied().collect();
    let r = build(
        &fs,
        Path::new("."),
        ".",
        &mut SourceMap::new(),
        &Options::default(),
    )
    .unwrap();
    let mut v: Vec<String> = r
        .resources
        .iter()
        .filter_map(|n| {
            n.path(&["metadata", "name"])
                .and_then(Node::as_str)
                .map(str::to_string)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn generated_names_match_kubectl() {
    let k = "namePrefix: p-\nconfigMapGenerator:\n- name: cm\n  literals:\n  - a=1\n";
    assert_eq!(names(&[("kustomization.yaml", k)]), vec!["p-cm-h29d89cmmt"]);

    let k = "configMapGenerator:\n- name: c1\n  envs: [a.env]\nsecretGenerator:\n- name: s1\n  literals: [pw=secret]\n  type: kubernetes.io/tls\n- name: s2\n  literals: [pw=secret]\n";
    let env = "A=1\nB=2\n  # c\n C= sp \n";
    assert_eq!(
        names(&[("kustomization.yaml", k), ("a.env", env)]),
        vec!["c1-dkmhhbcf2b", "s1-5m8htcdmc8", "s2-dtgd52765c"]
    );

    let k = "configMapGenerator:\n- name: empty\n";
    assert_eq!(
        names(&[("kustomization.yaml", k)]),
        vec!["empty-6ct58987ht"]
    );
}
