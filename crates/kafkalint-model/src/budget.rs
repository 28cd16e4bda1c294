//! The container memory budget of a broker JVM: heap + direct + non-heap against the limit.
//!
//! Terms and defaults: HotSpot measurements and flag documentation (OpenJDK 11/17/21
//! `-XX:+PrintFlagsFinal` and NMT), Kafka's thread pools (`num.network.threads`,
//! `num.io.threads`, `num.replica.fetchers`, `background.threads`, `log.cleaner.threads`
//! defaults from the Kafka configuration docs).

use kafkalint_syntax::Span;

use crate::jvm::{parse_size, JvmSize, SizeFlag};
use crate::quantity::{GIB, MIB};
use crate::{Broker, Lookup, Memory};

/// `5120 MiB`, rounded to the nearest MiB; safe for sums saturated at `u64::MAX`.
fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes / MIB + u64::from(bytes % MIB >= MIB / 2))
}

/// Estimates the policy can tune.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetParams {
    /// Metaspace when `-XX:MaxMetaspaceSize` is not set (a broker loads 10–15k classes).
    pub metaspace_estimate: u64,
    /// JVM-internal threads: GC workers, JIT compilers, signal and VM threads.
    pub jvm_threads: u32,
    /// Other threads: clients, metrics reporters, Jetty, agents.
    pub thread_allowance: u32,
    /// Java agents (e.g. a JMX exporter).
    pub agents: u64,
    /// Other native memory: malloc arenas, NIO temp buffers, symbol tables.
    pub other_native: u64,
}

impl Default for BudgetParams {
    fn default() -> Self {
        BudgetParams {
            metaspace_estimate: 128 * MIB,
            jvm_threads: 40,
            thread_allowance: 50,
            agents: 0,
            other_native: 0,
        }
    }
}

/// How a term's number was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// A flag the user set.
    Flag,
    /// The image sets it when the user does not.
    ImageDefault,
    /// The JVM's or Kafka's own default.
    Default,
    /// Derived from another term or the limit.
    Derived,
    /// A policy estimate.
    Estimate,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Flag => "flag",
            Basis::ImageDefault => "image default",
            Basis::Default => "JVM/Kafka default",
            Basis::Derived => "derived",
            Basis::Estimate => "estimate",
        }
    }
}

/// Where a term's number comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum TermOrigin {
    /// A JVM option on the effective command line: one the user wrote (basis `Flag`,
    /// `Derived` for `-XX:MaxRAMPercentage`) or the image's default (basis `ImageDefault`,
    /// the span is then the image).
    Token {
        token: String,
        /// The env var or field that carries it: `KAFKA_HEAP_OPTS`, `jvmOptions.-Xmx`.
        from: String,
        span: Span,
    },
    /// Policy parameters (`memory.metaspace_estimate_mib`, ...).
    Policy { parameters: Vec<&'static str> },
    /// A JVM, Kafka or operator default, or a measured constant; the detail says which.
    Builtin,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    pub name: &'static str,
    pub bytes: u64,
    pub basis: Basis,
    /// How it was computed, for tables: `-Xmx4096m`, `defaults to heap`, `3×1 + 8 + ...`.
    pub detail: String,
    pub span: Option<Span>,
    pub origin: TermOrigin,
}

/// The thread estimate behind the stack term: Kafka's pools from the broker config (or
/// Kafka's defaults) plus the policy's JVM and other threads.
#[derive(Clone, Debug, PartialEq)]
pub struct Threads {
    /// `num.network.threads`, per data listener.
    pub network: u64,
    pub listeners: u64,
    pub io: u64,
    /// `num.replica.fetchers`, per other broker.
    pub fetchers: u64,
    pub other_brokers: u64,
    pub background: u64,
    pub cleaner: u64,
    /// Policy `memory.jvm_threads`.
    pub jvm: u64,
    /// Policy `memory.thread_allowance`.
    pub allowance: u64,
    pub total: u64,
    /// Bytes per stack: `-Xss`/`-XX:ThreadStackSize`, else 1 MiB.
    pub stack_bytes: u64,
}

impl Threads {
    /// `network 3×1 + io 8 + fetchers 1×2 + background 10 + cleaner 1 + JVM 40 + other 50`.
    pub fn arithmetic(&self) -> String {
        format!(
            "network {}×{} + io {} + fetchers {}×{} + background {} + cleaner {} + JVM {} + other {}",
            self.network,
            self.listeners,
            self.io,
            self.fetchers,
            self.other_brokers,
            self.background,
            self.cleaner,
            self.jvm,
            self.allowance
        )
    }
}

/// One change that reaches a target margin on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Add `-XX:MaxDirectMemorySize` (direct memory follows the heap today).
    BoundDirect { mib: u64 },
    /// Lower an explicit `-XX:MaxDirectMemorySize`.
    LowerDirect { mib: u64 },
    /// Set `-Xmx` to this.
    LowerHeap { mib: u64 },
    /// Raise the container memory limit to this many MiB.
    RaiseLimit { mib: u64 },
}

impl Change {
    pub fn kind(&self) -> &'static str {
        match self {
            Change::BoundDirect { .. } => "bound-direct",
            Change::LowerDirect { .. } => "lower-direct",
            Change::LowerHeap { .. } => "lower-heap",
            Change::RaiseLimit { .. } => "raise-limit",
        }
    }

    pub fn mib(&self) -> u64 {
        match self {
            Change::BoundDirect { mib }
            | Change::LowerDirect { mib }
            | Change::LowerHeap { mib }
            | Change::RaiseLimit { mib } => *mib,
        }
    }

    /// The value to write: `-XX:MaxDirectMemorySize=1536m`, `-Xmx3072m`, `6144Mi`.
    pub fn setting(&self) -> String {
        match self {
            Change::BoundDirect { mib } | Change::LowerDirect { mib } => {
                format!("-XX:MaxDirectMemorySize={mib}m")
            }
            Change::LowerHeap { mib } => format!("-Xmx{mib}m"),
            Change::RaiseLimit { mib } => format!("{mib}Mi"),
        }
    }

    pub fn text(&self) -> String {
        match self {
            Change::BoundDirect { .. } => format!("bound direct memory with {}", self.setting()),
            Change::LowerDirect { mib } => format!("lower -XX:MaxDirectMemorySize to {mib}m"),
            Change::LowerHeap { .. } => format!("lower the heap to {}", self.setting()),
            Change::RaiseLimit { .. } => {
                format!("raise the memory limit to {}", self.setting())
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Budget {
    pub heap: Term,
    pub direct: Term,
    /// Metaspace, code cache, thread stacks, GC, agents, other native.
    pub non_heap: Vec<Term>,
    pub limit: Memory,
    pub threads: Threads,
    /// The JDK the GC estimate assumes.
    pub jdk: u32,
    /// Share of the heap the GC structures add (so a heap change moves them too).
    pub gc_heap_fraction: f64,
}

impl Budget {
    pub fn non_heap_bytes(&self) -> u64 {
        self.non_heap
            .iter()
            .map(|t| t.bytes)
            .fold(0, u64::saturating_add)
    }

    pub fn total(&self) -> u64 {
        self.heap
            .bytes
            .saturating_add(self.direct.bytes)
            .saturating_add(self.non_heap_bytes())
    }

    /// Share of the limit left over; negative when over.
    pub fn margin(&self) -> f64 {
        (self.limit.bytes as f64 - self.total() as f64) / self.limit.bytes as f64
    }

    /// `heap 4096 MiB + direct 4096 MiB (defaults to heap) + non-heap 690 MiB = 8882 MiB`.
    pub fn equation(&self) -> String {
        let direct_note = if self.direct.basis == Basis::Flag {
            String::new()
        } else {
            format!(" ({})", self.direct.detail)
        };
        format!(
            "heap {} + direct {}{} + non-heap {} = {}",
            mib(self.heap.bytes),
            mib(self.direct.bytes),
            direct_note,
            mib(self.non_heap_bytes()),
            mib(self.total())
        )
    }

    /// The smallest single change that reaches `target` margin, in words.
    pub fn suggestions(&self, target: f64) -> Vec<String> {
        self.changes(target).iter().map(Change::text).collect()
    }

    /// Each knob's smallest change that reaches `target` margin on its own: direct memory,
    /// the heap (which also moves direct memory when that follows the heap, and the GC
    /// structures), or the limit. Empty when the margin is already met.
    pub fn changes(&self, target: f64) -> Vec<Change> {
        let limit = self.limit.bytes as f64;
        let allowed = limit * (1.0 - target);
        let excess = self.total() as f64 - allowed;
        let mut out = Vec::new();
        if excess <= 0.0 {
            return out;
        }
        let floor_mib = |b: f64| (b / MIB as f64).floor().max(0.0) as u64;
        let ceil_mib = |b: f64| (b / MIB as f64).ceil() as u64;
        let direct = floor_mib(self.direct.bytes as f64 - excess);
        if direct >= 64 {
            out.push(if self.direct.basis == Basis::Flag {
                Change::LowerDirect { mib: direct }
            } else {
                // Bounding direct memory also stops it following the heap.
                Change::BoundDirect { mib: direct }
            });
        }
        let follows = if self.direct.basis == Basis::Flag {
            0.0
        } else {
            1.0
        };
        let heap =
            floor_mib(self.heap.bytes as f64 - excess / (1.0 + follows + self.gc_heap_fraction));
        if heap >= 256 {
            out.push(Change::LowerHeap { mib: heap });
        }
        let needed = self.total() as f64 / (1.0 - target);
        out.push(Change::RaiseLimit {
            mib: ceil_mib(needed),
        });
        out
    }
}

/// Why no budget could be computed.
#[derive(Clone, Debug, PartialEq)]
pub enum NoBudget {
    NoLimit,
    Unknown(String),
}

fn size_term(
    broker: &Broker,
    flag: SizeFlag,
    name: &'static str,
) -> Result<Option<Term>, NoBudget> {
    let Some((token, arg)) = broker.jvm.last_size(flag) else {
        return Ok(None);
    };
    match parse_size(arg) {
        JvmSize::Bytes(b) => {
            let bytes = if flag == SizeFlag::ThreadStackSize {
                b.saturating_mul(1024)
            } else {
                b
            };
            Ok(Some(Term {
                name,
                bytes,
                basis: if token.image_default {
                    Basis::ImageDefault
                } else {
                    Basis::Flag
                },
                detail: if token.image_default {
                    format!("{} from {}", token.text, token.from)
                } else {
                    format!("{} in {}", token.text, token.from)
                },
                span: Some(token.span),
                origin: TermOrigin::Token {
                    token: token.text.clone(),
                    from: token.from.clone(),
                    span: token.span,
                },
            }))
        }
        JvmSize::Invalid(why) => Err(NoBudget::Unknown(format!(
            "{} is invalid: {why}",
            token.text
        ))),
    }
}

fn builtin(name: &'static str, bytes: u64, basis: Basis, detail: impl Into<String>) -> Term {
    Term {
        name,
        bytes,
        basis,
        detail: detail.into(),
        span: None,
        origin: TermOrigin::Builtin,
    }
}

fn estimate(name: &'static str, bytes: u64, detail: &str, parameter: &'static str) -> Term {
    Term {
        name,
        bytes,
        basis: Basis::Estimate,
        detail: detail.into(),
        span: None,
        origin: TermOrigin::Policy {
            parameters: vec![parameter],
        },
    }
}

fn config_int(broker: &Broker, key: &str, default: u64) -> u64 {
    match broker.config.lookup(key) {
        Lookup::Set(_, v) => v.trim().parse().unwrap_or(default),
        _ => default,
    }
}

/// Listeners that serve clients and brokers (controller listeners have their own threads).
fn data_listeners(broker: &Broker) -> u64 {
    let Lookup::Set(_, listeners) = broker.config.lookup("listeners") else {
        return 1;
    };
    let controller: Vec<String> = match broker.config.lookup("controller.listener.names") {
        Lookup::Set(_, v) => v
            .split(',')
            .map(|s| s.trim().to_ascii_uppercase())
            .collect(),
        _ => Vec::new(),
    };
    let count = listeners
        .split(',')
        .filter_map(|l| l.split("://").next())
        .map(|name| name.trim().to_ascii_uppercase())
        .filter(|name| !name.is_empty() && !controller.contains(name))
        .count() as u64;
    count.max(1)
}

pub fn compute(broker: &Broker, params: &BudgetParams) -> Result<Budget, NoBudget> {
    let Some(limit) = broker.memory_limit.clone() else {
        return Err(NoBudget::NoLimit);
    };
    if let Some(why) = &broker.jvm.unknown {
        return Err(NoBudget::Unknown(why.clone()));
    }
    let heap = match size_term(broker, SizeFlag::Xmx, "heap")? {
        Some(t) => t,
        None => {
            let limit_bytes = limit.bytes as f64;
            if let Some((token, pct)) = broker.jvm.last_percentage("MaxRAMPercentage") {
                Term {
                    name: "heap",
                    bytes: (limit_bytes * pct / 100.0) as u64,
                    basis: Basis::Derived,
                    detail: format!("{} × limit {}", token.text, limit.text),
                    span: Some(token.span),
                    origin: TermOrigin::Token {
                        token: token.text.clone(),
                        from: token.from.clone(),
                        span: token.span,
                    },
                }
            } else if broker.jvm.strimzi_dynamic_heap {
                builtin(
                    "heap",
                    ((limit_bytes * 0.5) as u64).min(5 * GIB),
                    Basis::ImageDefault,
                    "Strimzi's rule: min(50% of the limit, 5 GiB)",
                )
            } else {
                builtin(
                    "heap",
                    (limit_bytes * 0.25) as u64,
                    Basis::Default,
                    "25% of the limit (HotSpot MaxRAMPercentage default)",
                )
            }
        }
    };
    let direct = match size_term(broker, SizeFlag::MaxDirectMemorySize, "direct")? {
        Some(t) => t,
        None => builtin("direct", heap.bytes, Basis::Derived, "defaults to heap"),
    };
    let metaspace = match size_term(broker, SizeFlag::MaxMetaspaceSize, "metaspace")? {
        Some(t) => t,
        None => estimate(
            "metaspace",
            params.metaspace_estimate,
            "no -XX:MaxMetaspaceSize; a broker loads 10-15k classes",
            "memory.metaspace_estimate_mib",
        ),
    };
    let tiered_off = broker.jvm.has_flag("-XX:-TieredCompilation");
    let code_cache = match size_term(broker, SizeFlag::ReservedCodeCacheSize, "code cache")? {
        Some(t) => t,
        None => builtin(
            "code cache",
            if tiered_off { 48 * MIB } else { 240 * MIB },
            Basis::Default,
            if tiered_off {
                "HotSpot ReservedCodeCacheSize without tiered compilation"
            } else {
                "HotSpot ReservedCodeCacheSize with tiered compilation"
            },
        ),
    };
    let stack = match size_term(broker, SizeFlag::Xss, "stack")? {
        Some(t) => Some(t),
        None => size_term(broker, SizeFlag::ThreadStackSize, "stack")?,
    };
    let stack_bytes = stack.as_ref().map_or(MIB, |t| t.bytes);
    let brokers = broker.replicas.map_or(1, |(n, _)| u64::from(n.max(1)));
    let mut threads = Threads {
        network: config_int(broker, "num.network.threads", 3),
        listeners: data_listeners(broker),
        io: config_int(broker, "num.io.threads", 8),
        fetchers: config_int(broker, "num.replica.fetchers", 1),
        other_brokers: brokers - 1,
        background: config_int(broker, "background.threads", 10),
        cleaner: config_int(broker, "log.cleaner.threads", 1),
        jvm: u64::from(params.jvm_threads),
        allowance: u64::from(params.thread_allowance),
        total: 0,
        stack_bytes,
    };
    threads.total = (threads.network.saturating_mul(threads.listeners))
        .saturating_add(threads.io)
        .saturating_add(threads.fetchers.saturating_mul(threads.other_brokers))
        .saturating_add(threads.background)
        .saturating_add(threads.cleaner)
        .saturating_add(threads.jvm)
        .saturating_add(threads.allowance);
    let stacks = Term {
        name: "thread stacks",
        bytes: threads.total.saturating_mul(stack_bytes),
        basis: Basis::Estimate,
        detail: format!(
            "{} threads ({}) × {} stack",
            threads.total,
            threads.arithmetic(),
            mib(stack_bytes)
        ),
        span: stack.as_ref().and_then(|t| t.span),
        origin: match stack {
            Some(Term {
                origin: origin @ TermOrigin::Token { .. },
                ..
            }) => origin,
            _ => TermOrigin::Policy {
                parameters: vec!["memory.jvm_threads", "memory.thread_allowance"],
            },
        },
    };
    let jdk = broker.family.jdk(broker.kafka_version);
    let (base, pct) = if jdk >= 21 {
        (43 * MIB, 0.02)
    } else {
        (45 * MIB, 0.037)
    };
    let gc = Term {
        name: "GC structures",
        bytes: base.saturating_add((heap.bytes as f64 * pct) as u64),
        basis: Basis::Estimate,
        detail: format!(
            "G1 on JDK {jdk}: {} + {:.1}% of heap",
            mib(base),
            pct * 100.0
        ),
        span: None,
        origin: TermOrigin::Builtin,
    };
    let agents = estimate(
        "agents",
        params.agents,
        "allowance for Java agents",
        "memory.agents_mib",
    );
    let other = estimate(
        "other native",
        params.other_native,
        "allowance for other native memory",
        "memory.other_native_mib",
    );
    Ok(Budget {
        heap,
        direct,
        non_heap: vec![metaspace, code_cache, stacks, gc, agents, other],
        limit,
        threads,
        jdk,
        gc_heap_fraction: pct,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(name: &'static str, mib: u64, basis: Basis) -> Term {
        builtin(name, mib * MIB, basis, "")
    }

    /// The seed: heap 4096, direct following it, ~677 MiB non-heap, 5 GiB limit.
    fn seed(direct_basis: Basis, direct_mib: u64) -> Budget {
        Budget {
            heap: term("heap", 4096, Basis::Flag),
            direct: term("direct", direct_mib, direct_basis),
            non_heap: vec![
                term("metaspace", 128, Basis::Estimate),
                term("code cache", 240, Basis::Default),
                term("thread stacks", 112, Basis::Estimate),
                Term {
                    bytes: 45 * MIB + (4096.0 * 0.037 * MIB as f64) as u64,
                    ..term("GC structures", 0, Basis::Estimate)
                },
            ],
            limit: Memory {
                bytes: 5 * GIB,
                text: "5Gi".into(),
                span: Span::default(),
            },
            threads: Threads {
                network: 3,
                listeners: 1,
                io: 8,
                fetchers: 1,
                other_brokers: 0,
                background: 10,
                cleaner: 1,
                jvm: 40,
                allowance: 50,
                total: 112,
                stack_bytes: MIB,
            },
            jdk: 17,
            gc_heap_fraction: 0.037,
        }
    }

    /// Total after setting the heap to `mib`, with direct and GC following as they do.
    fn total_with_heap(b: &Budget, mib: u64) -> f64 {
        let drop = b.heap.bytes as f64 - (mib * MIB) as f64;
        let follows = if b.direct.basis == Basis::Flag {
            0.0
        } else {
            1.0
        };
        b.total() as f64 - drop * (1.0 + follows + b.gc_heap_fraction)
    }

    #[test]
    fn each_change_reaches_the_target_alone() {
        for b in [seed(Basis::Derived, 4096), seed(Basis::Flag, 2048)] {
            let limit = b.limit.bytes as f64;
            let changes = b.changes(0.15);
            assert!(changes
                .iter()
                .any(|c| matches!(c, Change::RaiseLimit { .. })));
            for c in &changes {
                let total = match c {
                    Change::LowerHeap { mib } => total_with_heap(&b, *mib),
                    Change::BoundDirect { mib } | Change::LowerDirect { mib } => {
                        b.total() as f64 - b.direct.bytes as f64 + (mib * MIB) as f64
                    }
                    Change::RaiseLimit { mib } => {
                        let margin = ((mib * MIB) as f64 - b.total() as f64) / (mib * MIB) as f64;
                        assert!(margin >= 0.15, "{c:?}: {margin}");
                        continue;
                    }
                };
                let margin = (limit - total) / limit;
                assert!(margin >= 0.15, "{c:?} leaves {margin}");
                assert!(margin < 0.16, "{c:?} is not the smallest: {margin}");
            }
        }
    }

    #[test]
    fn the_seed_needs_the_heap_at_1878m() {
        let b = seed(Basis::Derived, 4096);
        assert_eq!(mib(b.total()), "8869 MiB");
        assert_eq!(
            b.suggestions(0.15),
            [
                "lower the heap to -Xmx1878m",
                "raise the memory limit to 10434Mi"
            ]
        );
        assert!(b.changes(0.9).len() == 1, "only the limit can reach 90%");
        assert!(seed(Basis::Flag, 1).changes(0.0).is_empty());
    }
}
