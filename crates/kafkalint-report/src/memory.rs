//! The memory budget report of `kafkalint memory` (text and JSON), shared with the
//! WebAssembly build: every term of each broker's budget, where it came from, the margin left
//! under the limit, and the changes that reach the policy's recommended margin.

use kafkalint_engine::{LintOptions, LintResult};
use kafkalint_model::budget::{self, Basis, Budget, Change, NoBudget, Term, TermOrigin};
use kafkalint_model::quantity::MIB;
use kafkalint_model::{Broker, Model};
use kafkalint_rules::rules::memory_over_limit::budget_params;
use kafkalint_rules::Context;
use kafkalint_syntax::{SourceMap, Span};
use serde_json::{json, Value};

/// The table per broker, as `kafkalint memory` prints it.
pub fn memory_text(result: &LintResult, options: &LintOptions) -> String {
    Report::new(result, options).text()
}

/// The same as JSON (the shape `kafkalint memory --help` documents), pretty-printed.
pub fn memory_json(result: &LintResult, options: &LintOptions) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(&Report::new(result, options).json()).unwrap_or_default()
    )
}

/// How far a change moves its knob, in MiB.
fn delta_mib(budget: &Budget, change: &Change) -> u64 {
    let current = match change {
        Change::BoundDirect { .. } | Change::LowerDirect { .. } => budget.direct.bytes,
        Change::LowerHeap { .. } => budget.heap.bytes,
        Change::RaiseLimit { .. } => budget.limit.bytes,
    };
    mib_rounded(current).abs_diff(change.mib())
}

fn signed(delta: u64, change: &Change) -> String {
    match change {
        Change::RaiseLimit { .. } => format!("+{delta}"),
        _ => format!("-{delta}"),
    }
}

/// One broker with its budget under the policy that covers its file.
struct Entry<'a> {
    broker: &'a Broker,
    budget: Result<Budget, NoBudget>,
    margin_min: f64,
    margin_recommended: f64,
}

impl Entry<'_> {
    fn verdict(&self, margin: f64) -> &'static str {
        if margin < self.margin_min {
            "error"
        } else if margin < self.margin_recommended {
            "warning"
        } else {
            "ok"
        }
    }
}

struct Report<'a> {
    model: &'a Model,
    sources: &'a SourceMap,
    brokers: Vec<Entry<'a>>,
    /// The thresholds of the policy for files no discovered policy covers.
    margin_min: f64,
    margin_recommended: f64,
}

fn mib_rounded(bytes: u64) -> u64 {
    bytes / MIB + u64::from(bytes % MIB >= MIB / 2)
}

fn percent(x: f64) -> f64 {
    (x * 1000.0).round() / 10.0
}

impl<'a> Report<'a> {
    fn new(result: &'a LintResult, options: &LintOptions) -> Report<'a> {
        let brokers = result
            .model
            .brokers
            .iter()
            .map(|b| {
                let policy = options.policy_for(result.sources.path(b.file));
                let cx = Context {
                    model: &result.model,
                    policy,
                };
                Entry {
                    broker: b,
                    budget: budget::compute(b, &budget_params(&cx)),
                    margin_min: policy.thresholds.memory.margin_min,
                    margin_recommended: policy.thresholds.memory.margin_recommended,
                }
            })
            .collect();
        Report {
            model: &result.model,
            sources: &result.sources,
            brokers,
            margin_min: options.policy.thresholds.memory.margin_min,
            margin_recommended: options.policy.thresholds.memory.margin_recommended,
        }
    }

    fn at(&self, span: Span) -> String {
        format!(
            "{}:{}:{}",
            self.sources.path(span.source),
            span.start.line,
            span.start.col
        )
    }

    /// `flag -Xmx4096m in KAFKA_HEAP_OPTS at forex.env:3:17`, `estimate (policy memory.x): ...`.
    fn term_source(&self, t: &Term) -> String {
        match &t.origin {
            TermOrigin::Token { token, from, span } => match t.basis {
                Basis::ImageDefault => format!(
                    "image default {token} from {from} (image at {})",
                    self.at(*span)
                ),
                Basis::Derived => format!("derived: {} (flag at {})", t.detail, self.at(*span)),
                Basis::Estimate => format!(
                    "estimate: {}, stack size {token} in {from} at {}",
                    t.detail,
                    self.at(*span)
                ),
                _ => format!("flag {token} in {from} at {}", self.at(*span)),
            },
            TermOrigin::Policy { parameters } => {
                format!("estimate: {} (policy {})", t.detail, parameters.join(", "))
            }
            TermOrigin::Builtin => match t.basis {
                Basis::ImageDefault => format!("image default: {}", t.detail),
                Basis::Derived if t.name == "direct" => {
                    "derived: defaults to the heap (-XX:MaxDirectMemorySize is not set)".into()
                }
                Basis::Derived => format!("derived: {}", t.detail),
                Basis::Estimate => format!("estimate: {}", t.detail),
                _ => format!("default: {}", t.detail),
            },
        }
    }

    fn header(&self, b: &Broker) -> String {
        let mut facts = Vec::new();
        if let Some((image, _)) = &b.image {
            facts.push(format!("image {image}"));
        }
        facts.push(format!("family {}", b.family.name()));
        if let Some((major, minor)) = b.kafka_version {
            facts.push(format!("Kafka {major}.{minor}"));
        }
        if let Some((n, _)) = b.replicas {
            facts.push(format!("{n} replica(s)"));
        }
        format!(
            "{} ({})\n  {}\n",
            b.display,
            self.at(b.anchor),
            facts.join(", ")
        )
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if self.brokers.is_empty() {
            out.push_str("no broker workloads found\n");
            return out;
        }
        for (i, entry) in self.brokers.iter().enumerate() {
            let (b, budget) = (entry.broker, &entry.budget);
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&self.header(b));
            let budget = match budget {
                Ok(budget) => budget,
                Err(NoBudget::NoLimit) => {
                    out.push_str("  no budget: the container has no memory limit\n");
                    continue;
                }
                Err(NoBudget::Unknown(why)) => {
                    out.push_str(&format!("  no budget: {why}\n"));
                    continue;
                }
            };
            out.push_str(&format!("  {:<14} {:>7}  {}\n", "term", "MiB", "source"));
            for t in std::iter::once(&budget.heap)
                .chain(std::iter::once(&budget.direct))
                .chain(budget.non_heap.iter())
            {
                out.push_str(&format!(
                    "  {:<14} {:>7}  {}\n",
                    t.name,
                    mib_rounded(t.bytes),
                    self.term_source(t)
                ));
            }
            out.push_str(&format!(
                "  {:<14} {:>7}\n",
                "total",
                mib_rounded(budget.total())
            ));
            out.push_str(&format!(
                "  {:<14} {:>7}  {} at {}\n",
                "limit",
                mib_rounded(budget.limit.bytes),
                budget.limit.text,
                self.at(budget.limit.span)
            ));
            let margin = budget.margin();
            let verdict = match entry.verdict(margin) {
                "error" if margin < 0.0 => "over the limit".to_string(),
                "error" => format!("below the minimum {:.0}%", entry.margin_min * 100.0),
                "warning" => format!(
                    "below the recommended {:.0}%",
                    entry.margin_recommended * 100.0
                ),
                _ => "fits".to_string(),
            };
            out.push_str(&format!(
                "  {:<14} {:>6.1}%  {} ({} MiB {})\n",
                "margin",
                margin * 100.0,
                verdict,
                mib_rounded(budget.limit.bytes.abs_diff(budget.total())),
                if margin < 0.0 { "over" } else { "free" }
            ));
            let changes = budget.changes(entry.margin_recommended);
            if !changes.is_empty() {
                out.push_str(&format!(
                    "  to leave {:.0}%, one of:\n",
                    entry.margin_recommended * 100.0
                ));
                let smallest = changes.iter().map(|c| delta_mib(budget, c)).min();
                for c in &changes {
                    let delta = delta_mib(budget, c);
                    out.push_str(&format!(
                        "    - {} ({} MiB{})\n",
                        c.text(),
                        signed(delta, c),
                        if Some(delta) == smallest {
                            ", the smallest change"
                        } else {
                            ""
                        }
                    ));
                }
            }
        }
        out
    }

    fn json(&self) -> Value {
        let brokers: Vec<Value> = self.brokers.iter().map(|e| self.broker_json(e)).collect();
        json!({
            "target_margin_percent": percent(self.margin_recommended),
            "minimum_margin_percent": percent(self.margin_min),
            "brokers": brokers,
        })
    }

    fn place(&self, span: Span) -> (String, u32, u32) {
        (
            self.sources.path(span.source).to_string(),
            span.start.line,
            span.start.col,
        )
    }

    fn broker_json(&self, entry: &Entry<'_>) -> Value {
        let (b, budget) = (entry.broker, &entry.budget);
        let (file, line, column) = self.place(b.anchor);
        let mut v = json!({
            "name": b.display,
            "file": file,
            "line": line,
            "column": column,
            "image": b.image.as_ref().map(|(i, _)| i.clone()),
            "family": b.family.name(),
            "kafka_version": b.kafka_version.map(|(a, c)| format!("{a}.{c}")),
            "replicas": b.replicas.map(|(n, _)| n),
        });
        let Some(obj) = v.as_object_mut() else {
            return v;
        };
        if let Some(r) = self.resource_of(b) {
            obj.insert("kind".into(), json!(r.0));
            obj.insert("resource".into(), json!(r.1));
            obj.insert("namespace".into(), json!(r.2));
        }
        let budget = match budget {
            Ok(budget) => budget,
            Err(NoBudget::NoLimit) => {
                obj.insert("status".into(), json!("no-limit"));
                obj.insert("reason".into(), json!("the container has no memory limit"));
                return v;
            }
            Err(NoBudget::Unknown(why)) => {
                obj.insert("status".into(), json!("unknown"));
                obj.insert("reason".into(), json!(why));
                return v;
            }
        };
        obj.insert("status".into(), json!("budget"));
        obj.insert(
            "minimum_margin_percent".into(),
            json!(percent(entry.margin_min)),
        );
        obj.insert(
            "target_margin_percent".into(),
            json!(percent(entry.margin_recommended)),
        );
        obj.insert("jdk".into(), json!(budget.jdk));
        let terms: Vec<Value> = std::iter::once(&budget.heap)
            .chain(std::iter::once(&budget.direct))
            .chain(budget.non_heap.iter())
            .map(|t| self.term_json(t))
            .collect();
        obj.insert("terms".into(), json!(terms));
        let th = &budget.threads;
        obj.insert(
            "threads".into(),
            json!({
                "network": th.network,
                "listeners": th.listeners,
                "io": th.io,
                "fetchers": th.fetchers,
                "other_brokers": th.other_brokers,
                "background": th.background,
                "cleaner": th.cleaner,
                "jvm": th.jvm,
                "other": th.allowance,
                "total": th.total,
                "stack_mib": th.stack_bytes as f64 / MIB as f64,
            }),
        );
        obj.insert("total_mib".into(), json!(mib_rounded(budget.total())));
        let (file, line, column) = self.place(budget.limit.span);
        obj.insert(
            "limit".into(),
            json!({
                "mib": mib_rounded(budget.limit.bytes),
                "text": budget.limit.text,
                "file": file,
                "line": line,
                "column": column,
            }),
        );
        let margin = budget.margin();
        obj.insert("margin_percent".into(), json!(percent(margin)));
        obj.insert("verdict".into(), json!(entry.verdict(margin)));
        let changes: Vec<Value> = budget
            .changes(entry.margin_recommended)
            .iter()
            .map(|c| {
                json!({
                    "kind": c.kind(),
                    "mib": c.mib(),
                    "delta_mib": delta_mib(budget, c),
                    "setting": c.setting(),
                    "text": c.text(),
                })
            })
            .collect();
        obj.insert("changes".into(), json!(changes));
        v
    }

    fn resource_of(&self, b: &Broker) -> Option<(String, String, Option<String>)> {
        let r = self.model.resource(b.resource)?;
        Some((r.id.kind.clone(), r.id.name.clone(), r.id.namespace.clone()))
    }

    fn term_json(&self, t: &Term) -> Value {
        let source = match t.basis {
            Basis::Flag => "flag",
            Basis::ImageDefault => "image-default",
            Basis::Default => "default",
            Basis::Derived => "derived",
            Basis::Estimate => "estimate",
        };
        let mut v = json!({
            "name": t.name,
            "mib": mib_rounded(t.bytes),
            "bytes": t.bytes,
            "source": source,
            "detail": t.detail,
        });
        if let Some(obj) = v.as_object_mut() {
            match &t.origin {
                TermOrigin::Token { token, from, span } => {
                    let (file, line, column) = self.place(*span);
                    obj.insert("token".into(), json!(token));
                    obj.insert("from".into(), json!(from));
                    obj.insert("file".into(), json!(file));
                    obj.insert("line".into(), json!(line));
                    obj.insert("column".into(), json!(column));
                }
                TermOrigin::Policy { parameters } => {
                    obj.insert("policy".into(), json!(parameters));
                }
                TermOrigin::Builtin => {}
            }
        }
        v
    }
}
