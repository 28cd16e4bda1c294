//! The container memory budget of a broker JVM: heap + direct + non-heap against the limit.
//!
//! Terms and defaults: HotSpot measurements and flag documentation (OpenJDK 11/17/21
//! `-XX:+PrintFlagsFinal` and NMT), Kafka's thread pools (`num.network.threads`,
//! `num.io.threads`, `num.replica.fetchers`, `background.threads`, `log.cleaner.threads`
//! defaults from the Kafka configuration docs).

use kafkalint_syntax::Span;

use crate::jvm::{parse_size, JvmSize, SizeFlag};
use crate::quantity::{mib, GIB, MIB};
use crate::{Broker, Lookup, Memory};

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

#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    pub name: &'static str,
    pub bytes: u64,
    pub basis: Basis,
    /// How it was computed, for tables: `-Xmx4096m`, `defaults to heap`, `3×1 + 8 + ...`.
    pub detail: String,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Budget {
    pub heap: Term,
    pub direct: Term,
    /// Metaspace, code cache, thread stacks, GC, agents, other native.
    pub non_heap: Vec<Term>,
    pub limit: Memory,
}

impl Budget {
    pub fn non_heap_bytes(&self) -> u64 {
        self.non_heap.iter().map(|t| t.bytes).sum()
    }

    pub fn total(&self) -> u64 {
        self.heap.bytes + self.direct.bytes + self.non_heap_bytes()
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
        let limit = self.limit.bytes as f64;
        let allowed = limit * (1.0 - target);
        let excess = self.total() as f64 - allowed;
        let mut out = Vec::new();
        if excess <= 0.0 {
            return out;
        }
        let floor_mib = |b: f64| (b / MIB as f64).floor().max(0.0) as u64;
        let ceil_mib = |b: f64| (b / MIB as f64).ceil() as u64;
        if self.direct.basis != Basis::Flag {
            // Bounding direct memory also stops it following the heap.
            let direct = floor_mib(self.direct.bytes as f64 - excess);
            if direct >= 64 {
                out.push(format!(
                    "bound direct memory with -XX:MaxDirectMemorySize={direct}m"
                ));
            }
        } else {
            let direct = floor_mib(self.direct.bytes as f64 - excess);
            if direct >= 64 {
                out.push(format!("lower -XX:MaxDirectMemorySize to {direct}m"));
            }
        }
        let heap_share = if self.direct.basis == Basis::Flag {
            1.0
        } else {
            2.0
        };
        let heap = floor_mib(self.heap.bytes as f64 - excess / heap_share);
        if heap >= 256 {
            out.push(format!("lower the heap to -Xmx{heap}m"));
        }
        let needed = self.total() as f64 / (1.0 - target);
        out.push(format!("raise the memory limit to {}Mi", ceil_mib(needed)));
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
            }))
        }
        JvmSize::Invalid(why) => Err(NoBudget::Unknown(format!(
            "{} is invalid: {why}",
            token.text
        ))),
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
                }
            } else if broker.jvm.strimzi_dynamic_heap {
                let bytes = ((limit_bytes * 0.5) as u64).min(5 * GIB);
                Term {
                    name: "heap",
                    bytes,
                    basis: Basis::ImageDefault,
                    detail: "Strimzi default: min(50% of the limit, 5 GiB)".into(),
                    span: None,
                }
            } else {
                Term {
                    name: "heap",
                    bytes: (limit_bytes * 0.25) as u64,
                    basis: Basis::Default,
                    detail: "JVM default: 25% of the limit".into(),
                    span: None,
                }
            }
        }
    };
    let direct = match size_term(broker, SizeFlag::MaxDirectMemorySize, "direct")? {
        Some(t) => t,
        None => Term {
            name: "direct",
            bytes: heap.bytes,
            basis: Basis::Derived,
            detail: "defaults to heap".into(),
            span: None,
        },
    };
    let metaspace = size_term(broker, SizeFlag::MaxMetaspaceSize, "metaspace")?.unwrap_or(Term {
        name: "metaspace",
        bytes: params.metaspace_estimate,
        basis: Basis::Estimate,
        detail: "unbounded; estimate for a broker's classes".into(),
        span: None,
    });
    let tiered_off = broker.jvm.has_flag("-XX:-TieredCompilation");
    let code_cache =
        size_term(broker, SizeFlag::ReservedCodeCacheSize, "code cache")?.unwrap_or(Term {
            name: "code cache",
            bytes: if tiered_off { 48 * MIB } else { 240 * MIB },
            basis: Basis::Default,
            detail: "ReservedCodeCacheSize default".into(),
            span: None,
        });
    let stack = match size_term(broker, SizeFlag::Xss, "stack")? {
        Some(t) => Some(t),
        None => size_term(broker, SizeFlag::ThreadStackSize, "stack")?,
    };
    let stack_bytes = stack.as_ref().map_or(MIB, |t| t.bytes);
    let brokers = broker.replicas.map_or(1, |(n, _)| u64::from(n.max(1)));
    let network = config_int(broker, "num.network.threads", 3);
    let listeners = data_listeners(broker);
    let io = config_int(broker, "num.io.threads", 8);
    let fetchers = config_int(broker, "num.replica.fetchers", 1);
    let background = config_int(broker, "background.threads", 10);
    let cleaner = config_int(broker, "log.cleaner.threads", 1);
    let threads = network * listeners
        + io
        + fetchers * (brokers - 1)
        + background
        + cleaner
        + u64::from(params.jvm_threads)
        + u64::from(params.thread_allowance);
    let stacks = Term {
        name: "thread stacks",
        bytes: threads.saturating_mul(stack_bytes),
        basis: Basis::Estimate,
        detail: format!(
            "{threads} threads × {} (network {network}×{listeners} + io {io} + fetchers {fetchers}×{} + background {background} + cleaner {cleaner} + JVM {} + other {})",
            mib(stack_bytes),
            brokers - 1,
            params.jvm_threads,
            params.thread_allowance
        ),
        span: stack.and_then(|t| t.span),
    };
    let jdk = broker.family.jdk(broker.kafka_version);
    let (base, pct) = if jdk >= 21 {
        (43 * MIB, 0.02)
    } else {
        (45 * MIB, 0.037)
    };
    let gc = Term {
        name: "GC structures",
        bytes: base + (heap.bytes as f64 * pct) as u64,
        basis: Basis::Estimate,
        detail: format!(
            "G1 on JDK {jdk}: {} + {:.1}% of heap",
            mib(base),
            pct * 100.0
        ),
        span: None,
    };
    let mut non_heap = vec![metaspace, code_cache, stacks, gc];
    if params.agents > 0 {
        non_heap.push(Term {
            name: "agents",
            bytes: params.agents,
            basis: Basis::Estimate,
            detail: "policy allowance for Java agents".into(),
            span: None,
        });
    }
    if params.other_native > 0 {
        non_heap.push(Term {
            name: "other native",
            bytes: params.other_native,
            basis: Basis::Estimate,
            detail: "policy allowance".into(),
            span: None,
        });
    }
    Ok(Budget {
        heap,
        direct,
        non_heap,
        limit,
    })
}
