//! The build: accumulate resources through nested kustomizations, run generators and
//! transformers in kustomize's order, then hash names and fix references at the top.

use std::path::{Path, PathBuf};

use kafkalint_syntax::{yaml, Node, NodeKind, SourceId, SourceMap, Span};

use crate::fieldspec::{self, FieldSpec};
use crate::fs::{normalize, Fs};
use crate::generators::{self, GenOptions, GenSpec, KvPair};
use crate::json6902;
use crate::kustfile::{is_remote, KustFile};
use crate::nameref;
use crate::replacements::{self, Replacement};
use crate::resource::{Behavior, Gvk, Resource};
use crate::selector::Selector;
use crate::smp;
use crate::transformers::{self, Image, Pair};
use crate::tree::{self, str_node};
use crate::{KustomizeError, LoadRestrictor, Options, Rendered, KUSTOMIZATION_FILE_NAMES};

type Res<T> = Result<T, KustomizeError>;

/// A kustomization directory being built.
struct Dir {
    /// Path on the file system.
    path: PathBuf,
    /// Canonical path, for the root restriction and cycles.
    canon: PathBuf,
    /// Display path of the directory.
    display: String,
}

struct Builder<'a> {
    fs: &'a dyn Fs,
    opts: &'a Options,
    sources: &'a mut SourceMap,
    /// Canonical roots of the kustomizations being built, outermost first, with display paths.
    chain: Vec<(PathBuf, String)>,
}

/// Join display paths with `/`, folding `.` and `..` lexically.
fn display_join(base: &str, rel: &str) -> String {
    let joined = if base.is_empty() || base == "." {
        rel.to_string()
    } else if rel.is_empty() {
        base.to_string()
    } else {
        format!("{base}/{rel}")
    };
    let n = normalize(Path::new(&joined));
    let s = n.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".to_string()
    } else {
        s
    }
}

fn err(file: &str, span: Option<Span>, msg: impl Into<String>) -> KustomizeError {
    KustomizeError::new(file, span, msg)
}

impl Builder<'_> {
    fn source_path(&self, id: SourceId) -> String {
        self.sources.path(id).to_string()
    }

    fn at(&self, span: Span, msg: impl Into<String>) -> KustomizeError {
        err(&self.source_path(span.source), Some(span), msg)
    }

    /// Register a file's text under its display path, reusing an earlier registration.
    fn register(&mut self, display: &str, text: String) -> SourceId {
        if let Some(id) = self.sources.find(display) {
            if self.sources.get(id).is_some_and(|f| f.text == text) {
                return id;
            }
        }
        self.sources.add(display, text)
    }

    /// Read a file named by a kustomization field, enforcing the root restriction.
    fn read(&mut self, dir: &Dir, rel: &str, field: &str, span: Span) -> Res<(SourceId, String)> {
        self.read_checked(dir, rel, field, span, None)
    }

    fn read_checked(
        &mut self,
        dir: &Dir,
        rel: &str,
        field: &str,
        span: Span,
        text_override: Option<String>,
    ) -> Res<(SourceId, String)> {
        let kfile = self.source_path(span.source);
        if is_remote(rel) {
            return Err(self.at(
                span,
                format!("not supported: remote file '{rel}' named in `{field}` of {kfile} (no network access)"),
            ));
        }
        let path = dir.path.join(rel);
        let display = display_join(&dir.display, rel);
        let canon = self.fs.canonicalize(&path).map_err(|e| {
            self.at(
                span,
                format!("missing file '{display}' named in `{field}` of {kfile}: {e}"),
            )
        })?;
        if self.opts.load_restrictor == LoadRestrictor::RootOnly && !canon.starts_with(&dir.canon) {
            return Err(self.at(
                span,
                format!(
                    "security; file '{display}' named in `{field}` of {kfile} is not in or below '{}' (load restrictor RootOnly)",
                    dir.display
                ),
            ));
        }
        if self.fs.is_dir(&path) {
            return Err(self.at(
                span,
                format!(
                    "'{display}' named in `{field}` of {kfile} is a directory, expected a file"
                ),
            ));
        }
        if let Some(t) = text_override {
            let id = self.register(&display, t.clone());
            return Ok((id, t));
        }
        let text = self.fs.read_to_string(&path).map_err(|e| {
            self.at(
                span,
                format!("cannot read '{display}' named in `{field}` of {kfile}: {e}"),
            )
        })?;
        let id = self.register(&display, text.clone());
        Ok((id, text))
    }

    /// Like `read`, for generator files that may be binary: `Err(bytes)` when not UTF-8.
    fn read_maybe_binary(
        &mut self,
        dir: &Dir,
        rel: &str,
        field: &str,
        span: Span,
    ) -> Res<(SourceId, Result<String, Vec<u8>>)> {
        let path = dir.path.join(rel);
        if self.fs.is_file(&path) && self.fs.read_to_string(&path).is_err() {
            if let Ok(bytes) = self.fs.read_bytes(&path) {
                if String::from_utf8(bytes.clone()).is_err() {
                    // Same checks as a text read, with an empty text registered for spans.
                    let (id, _) = self.read_checked(dir, rel, field, span, Some(String::new()))?;
                    return Ok((id, Err(bytes)));
                }
            }
        }
        let (id, t) = self.read(dir, rel, field, span)?;
        Ok((id, Ok(t)))
    }

    fn parse_yaml(&self, id: SourceId, text: &str) -> Res<Vec<Node>> {
        yaml::parse(text, id, &self.opts.yaml_limits).map_err(|e| {
            err(
                &self.source_path(id),
                Some(Span::point(id, e.pos)),
                format!("YAML error: {}", e.message),
            )
        })
    }

    /// Load the kustomization file of a directory.
    fn load_kustomization(&mut self, dir: &Dir, why: Option<(Span, &str)>) -> Res<KustFile> {
        let found: Vec<&str> = KUSTOMIZATION_FILE_NAMES
            .iter()
            .copied()
            .filter(|n| self.fs.is_file(&dir.path.join(n)))
            .collect();
        let name = match found.as_slice() {
            [one] => *one,
            [] => {
                let msg = format!(
                    "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                    dir.display
                );
                return Err(match why {
                    Some((span, field)) => {
                        let f = self.source_path(span.source);
                        self.at(span, format!("{msg} (named in `{field}` of {f})"))
                    }
                    None => err(&dir.display, None, msg),
                });
            }
            _ => {
                return Err(err(
                    &dir.display,
                    None,
                    format!("found multiple kustomization files under: {}", dir.display),
                ))
            }
        };
        let path = dir.path.join(name);
        let display = display_join(&dir.display, name);
        let text = self
            .fs
            .read_to_string(&path)
            .map_err(|e| err(&display, None, format!("cannot read kustomization: {e}")))?;
        let id = self.register(&display, text.clone());
        let docs = self.parse_yaml(id, &text)?;
        let root = match docs.into_iter().next() {
            Some(n) if !n.is_null() => n,
            _ => {
                return Err(err(
                    &display,
                    None,
                    format!("kustomization.yaml is empty: {display}"),
                ))
            }
        };
        let k = KustFile {
            file: display.clone(),
            root,
        };
        k.check_fields()
            .map_err(|(m, s)| err(&display, Some(s), m))?;
        Ok(k)
    }

    /// Open a nested kustomization directory (resource, base or component).
    fn open_dir(&mut self, parent: &Dir, rel: &str, span: Span, field: &str) -> Res<Dir> {
        let kfile = self.source_path(span.source);
        if Path::new(rel).is_absolute() {
            return Err(self.at(
                span,
                format!("new root '{rel}' cannot be absolute (in `{field}` of {kfile})"),
            ));
        }
        let path = parent.path.join(rel);
        let display = display_join(&parent.display, rel);
        let canon = self.fs.canonicalize(&path).map_err(|e| {
            self.at(
                span,
                format!("missing file or directory '{display}' named in `{field}` of {kfile}: {e}"),
            )
        })?;
        if let Some(pos) = self.chain.iter().position(|(c, _)| c.starts_with(&canon)) {
            let mut names: Vec<String> = self
                .chain
                .get(pos..)
                .unwrap_or_default()
                .iter()
                .map(|(_, d)| d.clone())
                .collect();
            names.push(display.clone());
            return Err(self.at(
                span,
                format!(
                    "cycle detected: '{display}' named in `{field}` of {kfile} contains a kustomization already being built ({})",
                    names.join(" -> ")
                ),
            ));
        }
        if self.chain.len() >= self.opts.max_depth {
            return Err(self.at(
                span,
                format!(
                    "kustomizations nested deeper than {} levels (limit max_depth) at '{display}' named in `{field}` of {kfile}",
                    self.opts.max_depth
                ),
            ));
        }
        Ok(Dir {
            path,
            canon,
            display,
        })
    }

    fn check_count(&self, ra: &[Resource], file: &str) -> Res<()> {
        if ra.len() > self.opts.max_resources {
            return Err(err(
                file,
                None,
                format!(
                    "more than {} resources (limit max_resources)",
                    self.opts.max_resources
                ),
            ));
        }
        Ok(())
    }

    /// Resources from a YAML file: documents, with `*List` kinds flattened.
    fn resources_from(&self, id: SourceId, text: &str) -> Res<Vec<Resource>> {
        let docs = self.parse_yaml(id, text)?;
        let mut out = Vec::new();
        let mut queue: Vec<Node> = docs;
        queue.reverse();
        while let Some(doc) = queue.pop() {
            if doc.is_null() || (doc.is_map() && doc.as_map().is_empty()) {
                continue;
            }
            if !doc.is_map() {
                return Err(err(
                    &self.source_path(id),
                    Some(doc.span),
                    "a resource must be a YAML mapping",
                ));
            }
            let kind = doc.get("kind").and_then(Node::as_text).unwrap_or("");
            if kind.ends_with("List") {
                if let Some(items) = doc.get("items") {
                    if items.is_seq() {
                        let mut its: Vec<Node> = items.as_seq().to_vec();
                        its.reverse();
                        queue.extend(its);
                        continue;
                    }
                    if !items.is_null() {
                        return Err(err(
                            &self.source_path(id),
                            Some(items.span),
                            "items in List must be a list",
                        ));
                    }
                    continue;
                }
            }
            if kind.is_empty() {
                return Err(err(
                    &self.source_path(id),
                    Some(doc.span),
                    "missing Resource metadata: `kind` is required",
                ));
            }
            if doc
                .path(&["metadata", "name"])
                .and_then(Node::as_text)
                .is_none()
            {
                return Err(err(
                    &self.source_path(id),
                    Some(doc.span),
                    format!("missing metadata.name in {kind} object"),
                ));
            }
            out.push(Resource::new(doc));
        }
        Ok(out)
    }

    fn append(
        &self,
        ra: &mut Vec<Resource>,
        more: Vec<Resource>,
        file: &str,
        span: Option<Span>,
    ) -> Res<()> {
        for r in more {
            let id = r.cur_id();
            if ra.iter().any(|o| o.cur_id().equals(&id)) {
                return Err(err(
                    file,
                    span,
                    format!(
                        "may not add resource with an already registered id: {}",
                        id.display()
                    ),
                ));
            }
            ra.push(r);
        }
        self.check_count(ra, file)
    }

    fn accumulate_resources(&mut self, dir: &Dir, k: &KustFile, ra: &mut Vec<Resource>) -> Res<()> {
        let mut paths = Vec::new();
        for field in ["resources", "bases"] {
            let list = k.string_list(field).map_err(|(m, s)| self.at(s, m))?;
            paths.extend(list.into_iter().map(|(p, span)| (p, span, field)));
        }
        for (p, span, field) in paths {
            if is_remote(&p) {
                return Err(self.at(
                    span,
                    format!(
                        "not supported: remote resource '{p}' named in `{field}` of {} (no network access)",
                        k.file
                    ),
                ));
            }
            let full = dir.path.join(&p);
            if self.fs.is_file(&full) {
                let (id, text) = self.read(dir, &p, field, span)?;
                let rs = self.resources_from(id, &text)?;
                let file = self.source_path(id);
                self.append(ra, rs, &file, Some(span))?;
            } else if self.fs.is_dir(&full) {
                let sub = self.open_dir(dir, &p, span, field)?;
                let subk = self.load_kustomization(&sub, Some((span, field)))?;
                if subk.kind() == "Component" {
                    return Err(self.at(
                        span,
                        format!("expected kind != 'Component' for path '{}' (named in `resources` of {})", sub.display, k.file),
                    ));
                }
                self.chain.push((sub.canon.clone(), sub.display.clone()));
                let sub_ra = self.accumulate(&sub, &subk, Vec::new());
                self.chain.pop();
                let sub_ra = sub_ra?;
                self.append(ra, sub_ra, &k.file, Some(span))?;
            } else {
                let display = display_join(&dir.display, &p);
                return Err(self.at(
                    span,
                    format!(
                        "missing file or directory '{display}' named in `resources` of {}",
                        k.file
                    ),
                ));
            }
        }
        Ok(())
    }

    fn accumulate(&mut self, dir: &Dir, k: &KustFile, mut ra: Vec<Resource>) -> Res<Vec<Resource>> {
        self.accumulate_resources(dir, k, &mut ra)?;
        self.run_generators(dir, k, &mut ra)?;
        for (p, span) in k
            .string_list("components")
            .map_err(|(m, s)| self.at(s, m))?
        {
            if is_remote(&p) {
                return Err(self.at(
                    span,
                    format!(
                        "not supported: remote component '{p}' named in `components` of {} (no network access)",
                        k.file
                    ),
                ));
            }
            let full = dir.path.join(&p);
            if !self.fs.is_dir(&full) {
                let display = display_join(&dir.display, &p);
                return Err(self.at(
                    span,
                    format!("component '{display}' named in `components` of {} must be a directory holding a kustomization", k.file),
                ));
            }
            let sub = self.open_dir(dir, &p, span, "components")?;
            let subk = self.load_kustomization(&sub, Some((span, "components")))?;
            if subk.kind() != "Component" {
                return Err(self.at(
                    span,
                    format!(
                        "expected kind 'Component' for path '{}' but got '{}' (named in `components` of {})",
                        sub.display,
                        subk.kind(),
                        k.file
                    ),
                ));
            }
            self.chain.push((sub.canon.clone(), sub.display.clone()));
            let out = self.accumulate(&sub, &subk, std::mem::take(&mut ra));
            self.chain.pop();
            ra = out?;
        }
        self.run_transformers(dir, k, &mut ra)?;
        self.check_count(&ra, &k.file)?;
        Ok(ra)
    }

    fn run_generators(&mut self, dir: &Dir, k: &KustFile, ra: &mut Vec<Resource>) -> Res<()> {
        let global =
            generators::parse_options(k.get("generatorOptions")).map_err(|(m, s)| self.at(s, m))?;
        for (field, is_secret) in [("configMapGenerator", false), ("secretGenerator", true)] {
            let Some(list) = k.get(field) else { continue };
            if !list.is_seq() {
                return Err(self.at(list.span, format!("`{field}` must be a list")));
            }
            for entry in list.as_seq() {
                let r = self.generate(dir, entry, is_secret, &global, field)?;
                self.absorb(ra, r, &k.file, entry.span)?;
            }
        }
        Ok(())
    }

    fn generate(
        &mut self,
        dir: &Dir,
        entry: &Node,
        is_secret: bool,
        global: &GenOptions,
        field: &str,
    ) -> Res<Resource> {
        if !entry.is_map() {
            return Err(self.at(entry.span, format!("entries of `{field}` must be maps")));
        }
        let (name, name_span) = match entry.get("name") {
            Some(n) if n.as_text().is_some() => (n.as_text().unwrap_or("").to_string(), n.span),
            _ => return Err(self.at(entry.span, format!("a `{field}` entry needs a `name`"))),
        };
        let namespace = entry
            .get("namespace")
            .and_then(|n| n.as_text().map(|s| (s.to_string(), n.span)));
        let behavior = match entry.get("behavior").and_then(Node::as_text) {
            None | Some("") | Some("create") => Behavior::Create,
            Some("merge") => Behavior::Merge,
            Some("replace") => Behavior::Replace,
            Some(other) => {
                let span = entry.get("behavior").map(|b| b.span).unwrap_or(entry.span);
                return Err(self.at(
                    span,
                    format!("unknown generator behavior '{other}' (create, merge or replace)"),
                ));
            }
        };
        let local =
            generators::parse_options(entry.get("options")).map_err(|(m, s)| self.at(s, m))?;
        let options = generators::merge_options(local, global);
        let mut pairs: Vec<KvPair> = Vec::new();
        // kustomize reads env files first, then literals, then files.
        let mut envs: Vec<&Node> = entry
            .get("envs")
            .map(|e| e.as_seq().iter().collect())
            .unwrap_or_default();
        if let Some(e) = entry.get("env").filter(|e| !e.is_null()) {
            envs.push(e);
        }
        for e in envs {
            let Some(p) = e.as_text() else { continue };
            let (id, text) = self.read(dir, p, &format!("{field}.envs"), e.span)?;
            let kv = generators::env_pairs(&text, id).map_err(|(m, s)| self.at(s, m))?;
            pairs.extend(kv);
        }
        for l in entry.get("literals").map(Node::as_seq).unwrap_or(&[]) {
            pairs.push(generators::parse_literal(l).map_err(|(m, s)| self.at(s, m))?);
        }
        for f in entry.get("files").map(Node::as_seq).unwrap_or(&[]) {
            let Some(src) = f.as_text() else { continue };
            let (key, path, key_given) = match src.split_once('=') {
                Some((k2, p)) => (k2.to_string(), p.to_string(), true),
                None => {
                    let base = Path::new(src)
                        .file_name()
                        .map(|b| b.to_string_lossy().into_owned())
                        .unwrap_or_else(|| src.to_string());
                    (base, src.to_string(), false)
                }
            };
            if key_given && key.is_empty() {
                return Err(self.at(f.span, format!("key name for file path {path} missing")));
            }
            let full = dir.path.join(&path);
            if self.fs.is_dir(&full) && !key_given {
                let names = self
                    .fs
                    .read_dir(&full)
                    .map_err(|e| self.at(f.span, e.to_string()))?;
                for n in names {
                    let rel = format!("{}/{n}", path.trim_end_matches('/'));
                    if self.fs.is_dir(&dir.path.join(&rel)) {
                        continue;
                    }
                    let (id, text) =
                        self.read_maybe_binary(dir, &rel, &format!("{field}.files"), f.span)?;
                    pairs.push(file_pair(n, text, id, f.span));
                }
                continue;
            }
            let (id, text) =
                self.read_maybe_binary(dir, &path, &format!("{field}.files"), f.span)?;
            pairs.push(file_pair(key, text, id, f.span));
        }
        let secret_type = if is_secret {
            entry
                .get("type")
                .and_then(|t| t.as_text().map(|s| (s.to_string(), t.span)))
        } else {
            None
        };
        generators::make(GenSpec {
            is_secret,
            name,
            name_span,
            namespace,
            behavior,
            secret_type,
            options,
            pairs,
        })
        .map_err(|(m, s)| self.at(s, m))
    }

    /// Add a generated resource, merging into or replacing an existing one when asked.
    fn absorb(&self, ra: &mut Vec<Resource>, mut r: Resource, file: &str, span: Span) -> Res<()> {
        let id = r.cur_id();
        let mut matches: Vec<usize> = ra
            .iter()
            .enumerate()
            .filter(|(_, o)| o.org.equals(&id))
            .map(|(i, _)| i)
            .collect();
        if matches.is_empty() {
            matches = ra
                .iter()
                .enumerate()
                .filter(|(_, o)| o.cur_id().equals(&id))
                .map(|(i, _)| i)
                .collect();
        }
        let behavior = r
            .gen
            .as_ref()
            .map(|g| g.behavior)
            .unwrap_or(Behavior::Create);
        match matches.as_slice() {
            [] => {
                if behavior != Behavior::Create {
                    return Err(err(
                        file,
                        Some(span),
                        format!(
                            "id {} does not exist; cannot merge or replace",
                            id.display()
                        ),
                    ));
                }
                self.append(ra, vec![r], file, Some(span))
            }
            [i] => {
                let i = *i;
                let Some(old) = ra.get(i) else {
                    return Ok(());
                };
                if behavior == Behavior::Create {
                    return Err(err(
                        file,
                        Some(span),
                        format!(
                            "id {} exists; behavior must be merge or replace",
                            id.display()
                        ),
                    ));
                }
                merge_generated(&mut r, old, behavior == Behavior::Merge);
                if let Some(slot) = ra.get_mut(i) {
                    *slot = r;
                }
                Ok(())
            }
            _ => Err(err(
                file,
                Some(span),
                format!(
                    "found multiple objects that could accept merge of {}",
                    id.display()
                ),
            )),
        }
    }

    fn run_transformers(&mut self, dir: &Dir, k: &KustFile, ra: &mut Vec<Resource>) -> Res<()> {
        self.patches_strategic_merge(dir, k, ra)?;
        self.patches(dir, k, ra)?;
        if let Some((ns, span)) = k.scalar("namespace").filter(|(n, _)| !n.is_empty()) {
            transformers::namespace(ra, &ns, span).map_err(|m| self.at(span, m))?;
        }
        let default_span = k.root.span;
        let (prefix, pspan) = k
            .scalar("namePrefix")
            .unwrap_or_else(|| (String::new(), default_span));
        transformers::prefix_suffix(ra, &prefix, pspan, true);
        let (suffix, sspan) = k
            .scalar("nameSuffix")
            .unwrap_or_else(|| (String::new(), default_span));
        transformers::prefix_suffix(ra, &suffix, sspan, false);
        self.labels(k, ra)?;
        let annos = k
            .string_map("commonAnnotations")
            .map_err(|(m, s)| self.at(s, m))?;
        let pairs: Vec<Pair> = annos
            .into_iter()
            .map(|(key, value, key_span, value_span)| Pair {
                key,
                value,
                key_span,
                value_span,
            })
            .collect();
        transformers::set_map_entries(ra, &pairs, &fieldspec::common_annotations())
            .map_err(|m| err(&k.file, None, m))?;
        self.patches_json6902(dir, k, ra)?;
        self.replicas(k, ra)?;
        self.images(k, ra)?;
        self.replacements(dir, k, ra)?;
        Ok(())
    }

    fn labels(&self, k: &KustFile, ra: &mut [Resource]) -> Res<()> {
        if let Some(list) = k.get("labels") {
            for entry in list.as_seq() {
                let pairs_node = entry.get("pairs");
                let pairs: Vec<Pair> = match pairs_node {
                    Some(p) => crate::kustfile::map_entries(p, "labels.pairs")
                        .map_err(|(m, s)| self.at(s, m))?
                        .into_iter()
                        .map(|(key, value, key_span, value_span)| Pair {
                            key,
                            value,
                            key_span,
                            value_span,
                        })
                        .collect(),
                    None => Vec::new(),
                };
                let mut specs: Vec<FieldSpec> = Vec::new();
                for f in entry.get("fields").map(Node::as_seq).unwrap_or(&[]) {
                    specs.push(parse_fieldspec(f).map_err(|(m, s)| self.at(s, m))?);
                }
                let include_selectors =
                    entry.get("includeSelectors").and_then(Node::as_bool) == Some(true);
                let include_templates =
                    entry.get("includeTemplates").and_then(Node::as_bool) == Some(true);
                if include_selectors {
                    fieldspec::merge_all(&mut specs, fieldspec::common_labels());
                } else {
                    if include_templates {
                        fieldspec::merge_all(&mut specs, fieldspec::template_labels());
                    }
                    fieldspec::merge_all(
                        &mut specs,
                        vec![FieldSpec::new("", "", "", "metadata/labels", true)],
                    );
                }
                transformers::set_map_entries(ra, &pairs, &specs)
                    .map_err(|m| self.at(entry.span, m))?;
            }
        }
        let common = k
            .string_map("commonLabels")
            .map_err(|(m, s)| self.at(s, m))?;
        let pairs: Vec<Pair> = common
            .into_iter()
            .map(|(key, value, key_span, value_span)| Pair {
                key,
                value,
                key_span,
                value_span,
            })
            .collect();
        let span = pairs.first().map(|p| p.key_span);
        transformers::set_map_entries(ra, &pairs, &fieldspec::common_labels())
            .map_err(|m| err(&k.file, span, m))
    }

    /// Patch documents from an inline string or a file.
    fn patch_docs(
        &mut self,
        dir: &Dir,
        entry_text: &Node,
        field: &str,
        is_path: bool,
    ) -> Res<Vec<Node>> {
        let span = entry_text.span;
        let text = entry_text.as_text().unwrap_or("").to_string();
        if is_path {
            let (id, t) = self.read(dir, &text, field, span)?;
            return self.parse_yaml(id, &t);
        }
        // Inline patches live inside kustomization.yaml: parse them as their own source so
        // positions point into the kustomization file where the block scalar allows.
        let file = self.source_path(span.source);
        let docs = yaml::parse(&text, span.source, &self.opts.yaml_limits).map_err(|e| {
            self.at(
                span,
                format!(
                    "YAML error in inline patch of `{field}` in {file}: {}",
                    e.message
                ),
            )
        })?;
        Ok(docs.into_iter().map(|d| shift(d, entry_text)).collect())
    }

    fn patches_strategic_merge(
        &mut self,
        dir: &Dir,
        k: &KustFile,
        ra: &mut Vec<Resource>,
    ) -> Res<()> {
        let Some(list) = k.get("patchesStrategicMerge") else {
            return Ok(());
        };
        let mut patches: Vec<Node> = Vec::new();
        for e in list.as_seq() {
            let Some(t) = e.as_text() else { continue };
            // kustomize first tries the string as an inline patch, then as a file path.
            let inline = !t.trim().is_empty()
                && (t.contains('\n') || t.trim_start().starts_with('{'))
                && yaml::parse(t, e.span.source, &self.opts.yaml_limits)
                    .map(|d| d.iter().any(Node::is_map))
                    .unwrap_or(false);
            let docs = self.patch_docs(dir, e, "patchesStrategicMerge", !inline)?;
            patches.extend(docs.into_iter().filter(|d| !d.is_null()));
        }
        for mut p in patches {
            stringify_patch_meta(&mut p);
            self.apply_smp_by_id(ra, p, &k.file, false, false)?;
        }
        Ok(())
    }

    fn apply_smp_by_id(
        &self,
        ra: &mut Vec<Resource>,
        p: Node,
        file: &str,
        allow_name: bool,
        allow_kind: bool,
    ) -> Res<()> {
        let patch_res = Resource::new(p.clone());
        let pid = patch_res.org.clone();
        let mut idx: Vec<usize> = ra
            .iter()
            .enumerate()
            .filter(|(_, r)| r.org.equals(&pid))
            .map(|(i, _)| i)
            .collect();
        if idx.len() != 1 {
            let cur: Vec<usize> = ra
                .iter()
                .enumerate()
                .filter(|(_, r)| r.cur_id().equals(&pid))
                .map(|(i, _)| i)
                .collect();
            if cur.len() == 1 {
                idx = cur;
            } else {
                return Err(err(
                    &self.source_path(p.span.source),
                    Some(p.span),
                    format!(
                        "no unique target for patch {} (from {file}): {} matches by original id, {} by current id",
                        pid.display(),
                        idx.len(),
                        cur.len()
                    ),
                ));
            }
        }
        let Some(&i) = idx.first() else { return Ok(()) };
        self.apply_smp_at(ra, i, &p, allow_name, allow_kind)
    }

    fn apply_smp_at(
        &self,
        ra: &mut Vec<Resource>,
        i: usize,
        p: &Node,
        allow_name: bool,
        allow_kind: bool,
    ) -> Res<()> {
        let Some(r) = ra.get_mut(i) else {
            return Ok(());
        };
        let name = r.name().to_string();
        let kind = r.node.get("kind").cloned();
        let name_node = r.node.path(&["metadata", "name"]).cloned();
        let ns_node = r.node.path(&["metadata", "namespace"]).cloned();
        if allow_name || allow_kind {
            r.store_previous_id();
        }
        let mut patch = p.clone();
        // The patch takes the target's apiVersion so the schema lookup uses the target's type.
        if let Some(av) = r.node.get("apiVersion").cloned() {
            tree::set_value(&mut patch, "apiVersion", av);
        }
        let merged = smp::merge(Some(r.node.clone()), Some(patch), None)
            .map_err(|m| err(&self.source_path(p.span.source), Some(p.span), m))?;
        match merged {
            Some(n) if !n.as_map().is_empty() => {
                r.node = n;
                if !allow_kind {
                    if let Some(kn) = kind {
                        tree::set_value(&mut r.node, "kind", kn);
                    }
                }
                if !allow_name {
                    match name_node {
                        Some(nn) => {
                            if let Some(meta) = tree::ensure_map(&mut r.node, "metadata", nn.span) {
                                tree::set_value(meta, "name", nn);
                            }
                        }
                        None => {
                            let span = r.node.span;
                            r.set_name(&name, span);
                        }
                    }
                }
                match ns_node {
                    Some(nn) => {
                        if let Some(meta) = tree::ensure_map(&mut r.node, "metadata", nn.span) {
                            tree::set_value(meta, "namespace", nn);
                        }
                    }
                    None => {
                        if let Some(meta) = tree::get_mut(&mut r.node, "metadata") {
                            tree::remove(meta, "namespace");
                        }
                    }
                }
            }
            _ => {
                ra.remove(i);
            }
        }
        Ok(())
    }

    fn select(&self, ra: &[Resource], sel: &Selector) -> Res<Vec<usize>> {
        let mut out = Vec::new();
        for (i, r) in ra.iter().enumerate() {
            if sel.select(r).map_err(|m| self.at(sel.span, m))? {
                out.push(i);
            }
        }
        Ok(out)
    }

    fn patches(&mut self, dir: &Dir, k: &KustFile, ra: &mut Vec<Resource>) -> Res<()> {
        let Some(list) = k.get("patches") else {
            return Ok(());
        };
        for e in list.as_seq() {
            let path = e.get("path").filter(|p| !p.is_null());
            let inline = e.get("patch").filter(|p| !p.is_null());
            let docs = match (path, inline) {
                (Some(_), Some(_)) => {
                    return Err(self.at(e.span, "patch and path can't be set at the same time"))
                }
                (None, None) => return Err(self.at(e.span, "must specify one of patch and path")),
                (Some(p), None) => self.patch_docs(dir, p, "patches", true)?,
                (None, Some(p)) => self.patch_docs(dir, p, "patches", false)?,
            };
            let target = match e.get("target").filter(|t| !t.is_null()) {
                Some(t) => Some(Selector::parse(t).map_err(|(m, s)| self.at(s, m))?),
                None => None,
            };
            let opts = e.get("options");
            let allow_name = opts
                .and_then(|o| o.get("allowNameChange"))
                .and_then(Node::as_bool)
                == Some(true);
            let allow_kind = opts
                .and_then(|o| o.get("allowKindChange"))
                .and_then(Node::as_bool)
                == Some(true);
            let docs: Vec<Node> = docs.into_iter().filter(|d| !d.is_null()).collect();
            let span = e.span;
            let is_json = docs.len() == 1 && docs.first().is_some_and(Node::is_seq);
            let is_smp = !docs.is_empty() && docs.iter().all(Node::is_map);
            if is_json {
                let Some(t) = target else {
                    return Err(self.at(span, "must specify a target for JSON patch"));
                };
                let ops = json6902::parse_ops(docs.first().unwrap_or(&k.root))
                    .map_err(|(m, s)| self.at(s, m))?;
                for i in self.select(ra, &t)? {
                    if let Some(r) = ra.get_mut(i) {
                        r.store_previous_id();
                        json6902::apply(&mut r.node, &ops).map_err(|(m, s)| self.at(s, m))?;
                    }
                }
            } else if is_smp {
                for p in docs {
                    match &target {
                        None => self.apply_smp_by_id(ra, p, &k.file, allow_name, allow_kind)?,
                        Some(t) => {
                            let sel = self.select(ra, t)?;
                            // Apply from the back so removals keep earlier indices valid.
                            for &i in sel.iter().rev() {
                                let mut pc = p.clone();
                                stringify_patch_meta(&mut pc);
                                // The patch keeps its own name (it only sticks with
                                // allowNameChange); the target's name and namespace are
                                // restored after the merge.
                                self.apply_smp_at(ra, i, &pc, allow_name, allow_kind)?;
                            }
                        }
                    }
                }
            } else {
                return Err(self.at(span, "unable to parse SM or JSON patch"));
            }
        }
        Ok(())
    }

    fn patches_json6902(&mut self, dir: &Dir, k: &KustFile, ra: &mut [Resource]) -> Res<()> {
        let Some(list) = k.get("patchesJson6902") else {
            return Ok(());
        };
        for e in list.as_seq() {
            let Some(t) = e.get("target").filter(|t| !t.is_null()) else {
                return Err(self.at(e.span, "must specify a target for patch"));
            };
            let sel = Selector::parse(t).map_err(|(m, s)| self.at(s, m))?;
            let docs = match (e.get("path"), e.get("patch")) {
                (Some(p), _) if !p.is_null() => self.patch_docs(dir, p, "patchesJson6902", true)?,
                (_, Some(p)) if !p.is_null() => {
                    self.patch_docs(dir, p, "patchesJson6902", false)?
                }
                _ => return Err(self.at(e.span, "patchesJson6902 entry needs `path` or `patch`")),
            };
            let Some(doc) = docs.into_iter().find(|d| !d.is_null()) else {
                return Err(self.at(e.span, "empty json patch operations"));
            };
            let ops = json6902::parse_ops(&doc).map_err(|(m, s)| self.at(s, m))?;
            for i in self.select(ra, &sel)? {
                if let Some(r) = ra.get_mut(i) {
                    r.store_previous_id();
                    json6902::apply(&mut r.node, &ops).map_err(|(m, s)| self.at(s, m))?;
                }
            }
        }
        Ok(())
    }

    fn replicas(&self, k: &KustFile, ra: &mut [Resource]) -> Res<()> {
        let Some(list) = k.get("replicas") else {
            return Ok(());
        };
        for e in list.as_seq() {
            let name = e.get("name").and_then(Node::as_text).unwrap_or("");
            let Some(count) = e.get("count") else {
                return Err(self.at(e.span, "replicas entry needs `count`"));
            };
            let Some(text) = count.as_text() else {
                return Err(self.at(count.span, "replica count must be an integer"));
            };
            if text.parse::<i64>().is_err() {
                return Err(self.at(
                    count.span,
                    format!("replica count must be an integer, got {text:?}"),
                ));
            }
            let c = tree::plain_node(text, count.span);
            transformers::replicas(ra, name, &c).map_err(|m| self.at(e.span, m))?;
        }
        Ok(())
    }

    fn images(&self, k: &KustFile, ra: &mut [Resource]) -> Res<()> {
        let mut list: Vec<&Node> = Vec::new();
        for key in ["images", "imageTags"] {
            if let Some(l) = k.get(key) {
                list.extend(l.as_seq());
            }
        }
        for e in list {
            let get = |f: &str| {
                e.get(f).and_then(|n| {
                    n.as_text()
                        .filter(|s| !s.is_empty())
                        .map(|s| (s.to_string(), n.span))
                })
            };
            let Some((name, _)) = get("name") else {
                return Err(self.at(e.span, "image entry needs `name`"));
            };
            let img = Image {
                name,
                new_name: get("newName"),
                new_tag: get("newTag"),
                digest: get("digest"),
                span: e.span,
            };
            transformers::images(ra, &img).map_err(|m| self.at(e.span, m))?;
        }
        Ok(())
    }

    fn replacements(&mut self, dir: &Dir, k: &KustFile, ra: &mut [Resource]) -> Res<()> {
        let Some(list) = k.get("replacements") else {
            return Ok(());
        };
        let mut reps = Vec::new();
        for e in list.as_seq() {
            if let Some(p) = e.get("path").filter(|p| !p.is_null()) {
                let Some(path) = p.as_text() else { continue };
                let (id, text) = self.read(dir, path, "replacements", p.span)?;
                for d in self.parse_yaml(id, &text)? {
                    let items: Vec<Node> = if d.is_seq() {
                        d.as_seq().to_vec()
                    } else {
                        vec![d]
                    };
                    for it in items.iter().filter(|n| !n.is_null()) {
                        reps.push(Replacement::parse(it).map_err(|(m, s)| self.at(s, m))?);
                    }
                }
            } else {
                reps.push(Replacement::parse(e).map_err(|(m, s)| self.at(s, m))?);
            }
        }
        replacements::apply(ra, &reps).map_err(|(m, s)| self.at(s, m))
    }
}

fn file_pair(key: String, content: Result<String, Vec<u8>>, id: SourceId, span: Span) -> KvPair {
    let (text, binary) = match content {
        Ok(t) => (t, None),
        Err(b) => (String::new(), Some(b)),
    };
    let lines = text.split('\n').count().max(1) as u32;
    let last_len = text
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0) as u32;
    KvPair {
        key,
        value: text,
        binary,
        key_span: span,
        value_span: Span::new(
            id,
            kafkalint_syntax::Pos::new(1, 1),
            kafkalint_syntax::Pos::new(lines, last_len + 1),
        ),
    }
}

/// Move spans of a tree parsed from a block scalar's text onto the lines of that block in the
/// kustomization file (exact for literal `|` blocks, the block's start otherwise).
fn shift(mut n: Node, holder: &Node) -> Node {
    fn go(n: &mut Node, holder: &Node) {
        let s = holder.position_in_value(
            n.span.start.line.saturating_sub(1),
            n.span.start.col.saturating_sub(1),
        );
        let e = holder.position_in_value(
            n.span.end.line.saturating_sub(1),
            n.span.end.col.saturating_sub(1),
        );
        n.span.start = s;
        n.span.end = if e > s { e } else { s };
        match &mut n.kind {
            NodeKind::Seq(items) => items.iter_mut().for_each(|i| go(i, holder)),
            NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                go(k, holder);
                go(v, holder);
            }),
            NodeKind::Scalar { .. } => {}
        }
    }
    go(&mut n, holder);
    n
}

/// Turn every scalar value of a map into a string with the same text (`null` included), as
/// kustomize's string-map round trip of labels and annotations does.
fn stringify_values(map: &mut Node) {
    if let NodeKind::Map(entries) = &mut map.kind {
        for (_, v) in entries.iter_mut() {
            if let NodeKind::Scalar { value, .. } = &v.kind {
                let text = value.clone();
                let span = v.span;
                *v = str_node(text, span);
            }
        }
    }
}

/// Patches applied through kustomize's resource map take their labels and annotations as
/// string maps first.
fn stringify_patch_meta(patch: &mut Node) {
    if let Some(meta) = tree::get_mut(patch, "metadata") {
        for f in ["labels", "annotations"] {
            if let Some(m) = tree::get_mut(meta, f) {
                stringify_values(m);
            }
        }
    }
}

fn parse_fieldspec(n: &Node) -> Result<FieldSpec, (String, Span)> {
    let path = n
        .get("path")
        .and_then(Node::as_text)
        .ok_or_else(|| ("a field spec needs a `path`".to_string(), n.span))?;
    let g = |k: &str| n.get(k).and_then(Node::as_text).unwrap_or("").to_string();
    Ok(FieldSpec {
        gvk: Gvk {
            group: g("group"),
            version: g("version"),
            kind: g("kind"),
        },
        path: path.to_string(),
        create: n.get("create").and_then(Node::as_bool) == Some(true),
    })
}

/// kustomize's generator merge: the new object keeps the old one's name, namespace and
/// identity; labels and annotations are the union (new wins); `merge` also unions the data.
fn merge_generated(new: &mut Resource, old: &Resource, merge_data: bool) {
    let span = new.node.span;
    for (field, _) in [("labels", ()), ("annotations", ())] {
        let mut entries: Vec<(Node, Node)> = old
            .node
            .path(&["metadata", field])
            .map(|m| m.as_map().to_vec())
            .unwrap_or_default();
        for (k, v) in new
            .node
            .path(&["metadata", field])
            .map(Node::as_map)
            .unwrap_or(&[])
        {
            entries.retain(|(ek, _)| ek.as_str() != k.as_str());
            entries.push((k.clone(), v.clone()));
        }
        if let Some(meta) = tree::ensure_map(&mut new.node, "metadata", span) {
            if entries.is_empty() {
                tree::remove(meta, field);
            } else {
                tree::set(meta, field, span, tree::map_node(entries, span));
            }
        }
    }
    if let Some(n) = old.node.path(&["metadata", "name"]).cloned() {
        if let Some(meta) = tree::ensure_map(&mut new.node, "metadata", span) {
            tree::set_value(meta, "name", n);
        }
    }
    match old.node.path(&["metadata", "namespace"]).cloned() {
        Some(n) => {
            if let Some(meta) = tree::ensure_map(&mut new.node, "metadata", span) {
                tree::set_value(meta, "namespace", n);
            }
        }
        None => {
            if let Some(meta) = tree::get_mut(&mut new.node, "metadata") {
                tree::remove(meta, "namespace");
            }
        }
    }
    if merge_data {
        for field in ["data", "binaryData"] {
            let mut entries: Vec<(Node, Node)> = old
                .node
                .get(field)
                .map(|m| m.as_map().to_vec())
                .unwrap_or_default();
            for (k, v) in new.node.get(field).map(Node::as_map).unwrap_or(&[]) {
                entries.retain(|(ek, _)| ek.as_str() != k.as_str());
                entries.push((k.clone(), v.clone()));
            }
            if !entries.is_empty() {
                tree::set(&mut new.node, field, span, tree::map_node(entries, span));
            }
        }
    }
    let new_hash = new.gen.as_ref().is_some_and(|g| g.hash);
    let old_hash = old.gen.as_ref().is_some_and(|g| g.hash);
    new.org = old.org.clone();
    new.prev = old.prev.clone();
    new.prefixes = old.prefixes.clone();
    new.suffixes = old.suffixes.clone();
    if let Some(g) = new.gen.as_mut() {
        g.hash = new_hash && old_hash;
    }
}

fn or_tilde(s: &str, missing: &str) -> String {
    if s.is_empty() {
        missing.to_string()
    } else {
        s.to_string()
    }
}

/// kustomize's legacy output order: by kind (namespaces and other prerequisites first,
/// webhooks last), then by group/version/kind, namespace and name.
fn legacy_sort(ra: &mut [Resource]) {
    const FIRST: [&str; 22] = [
        "Namespace",
        "ResourceQuota",
        "StorageClass",
        "CustomResourceDefinition",
        "ServiceAccount",
        "PodSecurityPolicy",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "ConfigMap",
        "Secret",
        "Endpoints",
        "Service",
        "LimitRange",
        "PriorityClass",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "Deployment",
        "StatefulSet",
        "CronJob",
        "PodDisruptionBudget",
    ];
    const LAST: [&str; 2] = [
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ];
    let rank = |k: &str| -> i64 {
        if let Some(i) = FIRST.iter().position(|f| *f == k) {
            i as i64 - FIRST.len() as i64
        } else if let Some(i) = LAST.iter().position(|f| *f == k) {
            1 + i as i64
        } else {
            0
        }
    };
    let gvk_str = |g: &Gvk| {
        let or = |s: &str, d: &str| {
            if s.is_empty() {
                d.to_string()
            } else {
                s.to_string()
            }
        };
        format!(
            "{}_{}_{}",
            or(&g.group, "~G"),
            or(&g.version, "~V"),
            or(&g.kind, "~K")
        )
    };
    ra.sort_by(|a, b| {
        let (ia, ib) = (a.cur_id(), b.cur_id());
        rank(&ia.gvk.kind)
            .cmp(&rank(&ib.gvk.kind))
            .then_with(|| gvk_str(&ia.gvk).cmp(&gvk_str(&ib.gvk)))
            .then_with(|| or_tilde(&ia.namespace, "~X").cmp(&or_tilde(&ib.namespace, "~X")))
            .then_with(|| or_tilde(&ia.name, "~N").cmp(&or_tilde(&ib.name, "~N")))
    });
}

pub fn run(
    fs: &dyn Fs,
    dir: &Path,
    display_base: &str,
    sources: &mut SourceMap,
    opts: &Options,
) -> Res<Rendered> {
    let display = if display_base.is_empty() {
        ".".to_string()
    } else {
        display_base.trim_end_matches('/').to_string()
    };
    let canon = fs.canonicalize(dir).map_err(|e| {
        err(
            &display,
            None,
            format!("cannot open kustomization directory: {e}"),
        )
    })?;
    if !fs.is_dir(dir) {
        return Err(err(&display, None, "not a directory"));
    }
    let top = Dir {
        path: dir.to_path_buf(),
        canon: canon.clone(),
        display: display.clone(),
    };
    let mut b = Builder {
        fs,
        opts,
        sources,
        chain: vec![(canon, display.clone())],
    };
    let k = b.load_kustomization(&top, None)?;
    if k.kind() == "Component" {
        return Err(err(
            &k.file,
            None,
            "a Component cannot be built on its own; name it in `components`",
        ));
    }
    let mut ra = b.accumulate(&top, &k, Vec::new())?;

    // Hash suffixes, computed on the final content.
    for r in ra.iter_mut() {
        let Some(g) = r.gen.clone() else { continue };
        if !g.hash {
            continue;
        }
        let h = crate::hash::hash_resource(&r.node);
        r.store_previous_id();
        let name = format!("{}-{h}", r.name());
        let span = r
            .node
            .path(&["metadata", "name"])
            .map(|n| n.span)
            .unwrap_or(g.name_span);
        r.set_name(&name, span);
    }
    nameref::fix(&mut ra).map_err(|(i, m)| {
        let (file, span) = ra
            .get(i)
            .map(|r| (b.source_path(r.node.span.source), Some(r.node.span)))
            .unwrap_or_else(|| (k.file.clone(), None));
        err(&file, span, m)
    })?;
    for r in ra.iter_mut() {
        // kustomize rewrites annotations while building and drops them when left empty.
        if let Some(meta) = tree::get_mut(&mut r.node, "metadata") {
            let empty = meta
                .get("annotations")
                .is_some_and(|a| a.is_null() || (a.is_map() && a.as_map().is_empty()));
            if empty {
                tree::remove(meta, "annotations");
            } else if let Some(a) = tree::get_mut(meta, "annotations") {
                // Annotations are re-set as a string map, so every value comes out a string.
                stringify_values(a);
            }
        }
    }
    ra.retain(|r| {
        r.node
            .path(&[
                "metadata",
                "annotations",
                "config.kubernetes.io/local-config",
            ])
            .and_then(Node::as_str)
            != Some("true")
    });
    let fifo = k
        .get("sortOptions")
        .and_then(|s| s.get("order"))
        .and_then(Node::as_str)
        == Some("fifo");
    if !fifo {
        legacy_sort(&mut ra);
    }
    Ok(Rendered {
        resources: ra.into_iter().map(|r| r.node).collect(),
    })
}
