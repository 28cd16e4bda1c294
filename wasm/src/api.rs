//! What every in-memory host calls: JS through wasm-bindgen, Kubewarden through waPC. Strings
//! in, JSON strings out, the same JSON the CLI prints.

use std::path::Path;

use kafkalint_engine::{lint as run_lint, ImageFamily, LintOptions, LintResult, Workspace};
use kafkalint_kustomize::{normalize, Fs};
use kafkalint_loader::{add_file, load_found, walk, LoadOptions};
use kafkalint_policy::{Policy, PolicyError, PACKS};
use serde_json::json;

use crate::files::Files;

/// Options of `lint` and `memory` besides the files.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// A pack name or policy YAML. Without it, the nearest `.kafkalint.yaml` (or `.yml`) among
    /// the files, upward from each path, applies, as the CLI finds one.
    pub policy: Option<String>,
    /// What to lint among the files, as the CLI's PATH arguments: files and directories
    /// (walked). Empty means `.`, the whole tree.
    pub paths: Vec<String>,
    /// `--image`: the image family of brokers and standalone files.
    pub image: Option<String>,
    /// `--kafka-version`, as `MAJOR.MINOR`.
    pub kafka_version: Option<String>,
    /// Add `utf16_column` and `utf16_end_column` to each diagnostic.
    pub utf16_columns: bool,
}

/// Policy file names discovery looks for, in each directory from an input upward.
const DISCOVERED: &[&str] = &[".kafkalint.yaml", ".kafkalint.yml"];

fn packs() -> String {
    PACKS.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
}

/// A policy from a pack name or policy YAML whose `extends:` may name packs and the files given.
pub fn policy_from(spec: &str, files: &Files) -> Result<Policy, String> {
    let trimmed = spec.trim();
    if !trimmed.contains('\n') && !trimmed.contains(':') {
        return Policy::pack(trimmed)
            .ok_or_else(|| format!("policy: `{trimmed}` is not a pack ({})", packs()));
    }
    let policy =
        Policy::resolve(spec, "policy", &mut read_from(files)).map_err(|e| e.to_string())?;
    check_selectors(&policy)?;
    Ok(policy)
}

fn read_from(files: &Files) -> impl FnMut(&str) -> Result<String, String> + '_ {
    |p: &str| {
        files
            .text(p)
            .map(str::to_string)
            .ok_or_else(|| "No such file or directory (os error 2)".to_string())
    }
}

/// The policy for files no discovered policy covers, and the policies discovered for each
/// input path, as the engine's `LintOptions` wants them (the CLI's `policy::resolve`).
pub fn policies(
    files: &Files,
    spec: Option<&str>,
    inputs: &[String],
) -> Result<(Policy, Vec<(String, Policy)>), String> {
    if let Some(spec) = spec {
        return Ok((policy_from(spec, files)?, Vec::new()));
    }
    let mut loaded: Vec<(String, Policy)> = Vec::new();
    let mut scoped = Vec::new();
    for input in inputs {
        let Some(found) = discover(files, input) else {
            continue;
        };
        let policy = match loaded.iter().find(|(f, _)| *f == found) {
            Some((_, p)) => p.clone(),
            None => {
                let text = files.text(&found).unwrap_or_default();
                let p = Policy::resolve(text, &found, &mut read_from(files))
                    .map_err(|e| e.to_string())?;
                check_selectors(&p)?;
                loaded.push((found, p.clone()));
                p
            }
        };
        scoped.push((input.trim_end_matches('/').to_string(), policy));
    }
    Ok((Policy::default_policy(), scoped))
}

/// The nearest policy file from `input` upward, within the files.
fn discover(files: &Files, input: &str) -> Option<String> {
    let path = Path::new(input);
    let start = if files.is_dir(path) {
        normalize(path)
    } else {
        normalize(path.parent().unwrap_or(Path::new("")))
    };
    start.ancestors().find_map(|dir| {
        DISCOVERED.iter().find_map(|name| {
            let candidate = dir.join(name);
            files
                .is_file(&candidate)
                .then(|| candidate.to_string_lossy().replace('\\', "/"))
        })
    })
}

/// Every selector must pick some rule, as the CLI checks, so a typo does not silently do nothing.
fn check_selectors(policy: &Policy) -> Result<(), String> {
    for (origin, s) in policy.selectors() {
        let builtin = kafkalint_rules::all_rules().iter().any(|r| {
            let m = r.meta();
            kafkalint_policy::selector_rank(&s.selector, m.code, m.category.as_str()).is_some()
        });
        let custom = policy.custom_rules.iter().any(|r| {
            kafkalint_policy::selector_rank(&s.selector, &r.code, kafkalint_rules::custom::CATEGORY)
                .is_some()
        });
        if !builtin && !custom {
            // Sorted and deduplicated as they come: a `sort` of `&str` here would be a sort
            // instantiated for this message alone (about 3.5 KB of the wasm module).
            let mut categories: Vec<&str> = Vec::new();
            let all = kafkalint_rules::all_rules().iter();
            for c in all
                .map(|r| r.meta().category.as_str())
                .chain([kafkalint_rules::custom::CATEGORY])
            {
                if let Err(at) = categories.binary_search(&c) {
                    categories.insert(at, c);
                }
            }
            return Err(PolicyError {
                message: format!(
                    "`{}` selects no rule: use a code (REP001), a prefix (REP), a category ({}) or ALL",
                    s.selector,
                    categories.join(", ")
                ),
                file: Some(origin.to_string()),
                line: s.line,
                column: s.column,
            }
            .to_string());
        }
    }
    Ok(())
}

fn lint_options(files: &Files, options: &Options) -> Result<LintOptions, String> {
    let (policy, scoped) = policies(files, options.policy.as_deref(), &inputs(options))?;
    let mut lint = LintOptions {
        policy,
        scoped,
        ..LintOptions::default()
    };
    if let Some(name) = &options.image {
        lint.model.image = Some(ImageFamily::from_name(name).ok_or_else(|| {
            format!(
                "image: `{name}` is not one of {}",
                ImageFamily::NAMES.join(", ")
            )
        })?);
    }
    if let Some(v) = &options.kafka_version {
        let mut it = v.trim().split('.');
        let major = it.next().and_then(|x| x.parse().ok());
        let minor = it.next().and_then(|x| x.parse().ok());
        lint.model.kafka_version = match (major, minor) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => {
                return Err(format!(
                    "kafkaVersion: expected MAJOR.MINOR such as 3.9, got {v:?}"
                ))
            }
        };
    }
    Ok(lint)
}

fn inputs(options: &Options) -> Vec<String> {
    if options.paths.is_empty() {
        vec![".".to_string()]
    } else {
        options.paths.clone()
    }
}

/// Read the paths as the CLI reads its PATH arguments (directories walked, kustomization roots
/// rendered, files taken whatever their names), and lint them.
fn run(files: &Files, options: &Options, lint_options: &LintOptions) -> Result<LintResult, String> {
    let paths = inputs(options);
    let load_options = LoadOptions::default();
    let mut ws = Workspace::new();
    let mut loaded = 0;
    for p in &paths {
        let path = Path::new(p);
        if files.is_dir(path) {
            let found = walk(files, path, true);
            load_found(files, &found, &mut ws, &load_options);
            loaded += found.len();
        } else if files.is_file(path) {
            add_file(files, path, p, &mut ws, &load_options);
            loaded += 1;
        } else {
            return Err(format!("{p}: No such file or directory (os error 2)"));
        }
    }
    if loaded == 0 {
        return Err(format!(
            "no input: no .yaml, .yml, .json, .env or .properties files under {}",
            paths.join(" ")
        ));
    }
    Ok(run_lint(ws, lint_options))
}

/// `kafkalint lint -f json` over the files.
pub fn lint(files: &Files, options: &Options) -> Result<String, String> {
    let lint_options = lint_options(files, options)?;
    let result = run(files, options, &lint_options)?;
    Ok(if options.utf16_columns {
        kafkalint_report::json_utf16(&result)
    } else {
        kafkalint_report::json(&result)
    })
}

/// `kafkalint memory -f json` over the files.
pub fn memory(files: &Files, options: &Options) -> Result<String, String> {
    let lint_options = lint_options(files, options)?;
    let result = run(files, options, &lint_options)?;
    Ok(kafkalint_report::memory::memory_json(
        &result,
        &lint_options,
    ))
}

fn pretty(v: &serde_json::Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default())
}

/// `kafkalint rules -f json`: every rule and what the policy makes of it.
pub fn rules(policy: Option<&str>) -> Result<String, String> {
    let (base, _) = policies(&Files::new(), policy, &[])?;
    let mut rows: Vec<serde_json::Value> = kafkalint_rules::all_rules()
        .iter()
        .map(|r| {
            let m = r.meta();
            let d = base.decide(m.code, m.category.as_str(), m.default_severity);
            json!({
                "code": m.code,
                "name": m.name,
                "category": m.category.as_str(),
                "default_severity": m.default_severity.as_str(),
                "enabled": d.enabled,
                "severity": d.severity.as_str(),
                "summary": m.summary(),
            })
        })
        .collect();
    for r in &base.custom_rules {
        let d = base.decide(&r.code, kafkalint_rules::custom::CATEGORY, r.severity);
        rows.push(json!({
            "code": r.code,
            "name": r.name,
            "category": kafkalint_rules::custom::CATEGORY,
            "default_severity": r.severity.as_str(),
            "enabled": d.enabled,
            "severity": d.severity.as_str(),
            "summary": format!("{} (custom rule from {})", r.message, r.origin),
        }));
    }
    Ok(pretty(&serde_json::Value::Array(rows)))
}

/// One rule: its facts, and `doc`, the Markdown `kafkalint rule CODE` prints.
pub fn rule(code: &str, policy: Option<&str>) -> Result<String, String> {
    if let Some(r) = kafkalint_rules::find_rule(code) {
        let m = r.meta();
        let body = m
            .doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let doc = format!(
            "# {} ({})\n\nCategory: {}. Default severity: {}.\n\n{body}",
            m.code,
            m.name,
            m.category.as_str(),
            m.default_severity.as_str(),
        );
        return Ok(pretty(&json!({
            "code": m.code,
            "name": m.name,
            "category": m.category.as_str(),
            "default_severity": m.default_severity.as_str(),
            "summary": m.summary(),
            "doc": doc,
        })));
    }
    let (base, _) = policies(&Files::new(), policy, &[])?;
    let custom = base
        .custom_rules
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
        .ok_or_else(|| format!("unknown rule {code:?}; rules() lists them"))?;
    let doc = format!(
        "# {} ({})\n\nCustom rule from {}. Severity: {}.\n\n{}\n\n{}\n",
        custom.code,
        custom.name,
        custom.origin,
        custom.severity,
        custom.message,
        custom.description.as_deref().unwrap_or("")
    );
    Ok(pretty(&json!({
        "code": custom.code,
        "name": custom.name,
        "category": kafkalint_rules::custom::CATEGORY,
        "default_severity": custom.severity.as_str(),
        "summary": custom.message,
        "doc": doc,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STS: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: kafka\nspec:\n  template:\n    spec:\n      containers:\n        - name: kafka\n          image: bitnami/kafka:3.9\n";

    fn files(entries: &[(&str, &str)]) -> Files {
        let mut f = Files::new();
        for (p, t) in entries {
            f.insert(p, *t);
        }
        f
    }

    fn report(f: &Files, options: &Options) -> serde_json::Value {
        serde_json::from_str(&lint(f, options).unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn paths_choose_what_is_linted_and_name_the_files() {
        let f = files(&[
            ("a/sts.yaml", STS),
            ("b/sts.yaml", STS),
            ("a/notes.txt", "x"),
        ]);
        let all = report(&f, &Options::default());
        assert_eq!(all["summary"]["files"], 2);
        let only_a = report(
            &f,
            &Options {
                paths: vec!["a/".into()],
                ..Options::default()
            },
        );
        assert_eq!(only_a["summary"]["files"], 1);
        assert_eq!(only_a["diagnostics"][0]["file"], "a/sts.yaml");
        // A file given by name is linted whatever its extension.
        let txt = report(
            &f,
            &Options {
                paths: vec!["a/notes.txt".into()],
                ..Options::default()
            },
        );
        assert_eq!(txt["summary"]["files"], 1);
        let missing = lint(
            &f,
            &Options {
                paths: vec!["c".into()],
                ..Options::default()
            },
        );
        assert_eq!(
            missing,
            Err("c: No such file or directory (os error 2)".into())
        );
        let none = lint(&files(&[("notes.txt", "x")]), &Options::default());
        assert!(none.is_err_and(|e| e.starts_with("no input")));
    }

    #[test]
    fn the_nearest_policy_file_upward_applies() {
        let dev = "extends: development\n";
        let f = files(&[("team/.kafkalint.yaml", dev), ("team/prod/sts.yaml", STS)]);
        let (_, scoped) = policies(&f, None, &["team/prod".into()]).unwrap_or_default();
        assert_eq!(scoped.len(), 1);
        assert_eq!(scoped.first().map(|s| s.0.as_str()), Some("team/prod"));
        let (_, none) = policies(&f, None, &["other".into()]).unwrap_or_default();
        assert!(none.is_empty());
        // An explicit policy replaces discovery; a bad one is an error.
        let (_, given) = policies(&f, Some("production"), &["team".into()]).unwrap_or_default();
        assert!(given.is_empty());
        assert!(policies(&f, Some("strict"), &[]).is_err());
        assert!(policy_from("rules:\n  NOPE1: { enabled: false }\n", &f)
            .is_err_and(|e| e.contains("selects no rule")));
    }

    #[test]
    fn rules_and_unknown_rules() {
        let list: serde_json::Value =
            serde_json::from_str(&rules(None).unwrap_or_default()).unwrap_or_default();
        assert!(list.as_array().is_some_and(|l| l.len() >= 8));
        assert!(rule("MEM001", None).is_ok_and(|d| d.contains("unbounded-direct-memory")));
        assert!(rule("NOPE999", None).is_err());
    }
}
