use kafkalint_model::client::{Client, ClientSetting, View};

use super::client_support::{app_clients, written};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Compares each consumer's effective `heartbeat.interval.ms` with its
    /// `session.timeout.ms` (Spring Boot `spring.kafka.consumer.heartbeat-interval`, which
    /// takes durations like `10s`, and `properties` maps; client `.properties` files). It
    /// reports a heartbeat interval above a third of the session timeout. When only one of
    /// the two is set, the other is Kafka's default (heartbeat 3000 ms, session 45000 ms).
    /// Consumers on the KIP-848 protocol (`group.protocol=consumer`) are skipped: there the
    /// broker decides both.
    ///
    /// ## Why is this bad?
    /// The group coordinator removes a consumer that sends no heartbeat for
    /// `session.timeout.ms`. With fewer than three heartbeats per session, one or two
    /// delayed heartbeats (a GC pause, a slow network) are enough to expel a healthy
    /// consumer and rebalance the whole group, over and over. A heartbeat interval at or above
    /// the session timeout is refused when the consumer starts. (Source: `heartbeat.interval.ms`
    /// and `session.timeout.ms` in the Kafka 3.9 consumer config docs, `configs-3.9.json`,
    /// which say the interval should be no higher than a third of the timeout.)
    ///
    /// ## Example
    /// ```properties
    /// session.timeout.ms=30000
    /// heartbeat.interval.ms=15000
    /// ```
    ///
    /// ## Fix
    /// ```properties
    /// session.timeout.ms=30000
    /// heartbeat.interval.ms=10000
    /// ```
    pub struct HeartbeatAboveSessionThird {
        code: "CLI006",
        name: "slow-consumer-heartbeat",
        category: Client,
        severity: Warning,
    }
}

const DEFAULT_HEARTBEAT_MS: i64 = 3000;
const DEFAULT_SESSION_MS: i64 = 45000;

/// A set value in milliseconds; `Err` when it is set but cannot be read.
fn millis(s: Option<&ClientSetting>) -> Result<Option<i64>, ()> {
    match s {
        None => Ok(None),
        Some(s) => s.kafka_number().map(Some).ok_or(()),
    }
}

fn check_view(client: &Client, view: View, out: &mut Vec<Finding>) {
    if client
        .effective("group.protocol", view)
        .and_then(|s| s.known())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("consumer"))
    {
        return;
    }
    let hb = client.effective("heartbeat.interval.ms", view);
    let session = client.effective("session.timeout.ms", view);
    if hb.is_none() && session.is_none() {
        return;
    }
    // A default only counts when nothing we cannot see (a Secret) may set the key.
    if client.open.is_some() && (hb.is_none() || session.is_none()) {
        return;
    }
    let (Ok(hb_ms), Ok(session_ms)) = (millis(hb), millis(session)) else {
        return;
    };
    let hb_val = hb_ms.unwrap_or(DEFAULT_HEARTBEAT_MS);
    let session_val = session_ms.unwrap_or(DEFAULT_SESSION_MS);
    if hb_val.saturating_mul(3) <= session_val {
        return;
    }
    let refused = if hb_val >= session_val {
        ": the consumer refuses to start"
    } else {
        ""
    };
    let describe = |s: Option<&ClientSetting>, ms: i64, key: &str| match s {
        Some(_) => format!("{key} {ms} ms"),
        None => format!("{key} {ms} ms (Kafka's default)"),
    };
    let message = format!(
        "{} {} is above a third of {}: fewer than three heartbeats per session{refused}",
        view.name(),
        describe(hb, hb_val, "heartbeat.interval.ms"),
        describe(session, session_val, "session.timeout.ms"),
    );
    let (primary, other) = match (hb, session) {
        (Some(h), s) => (h, s),
        (None, Some(s)) => (s, None),
        (None, None) => return,
    };
    let mut f = Finding::new(primary.span(), message)
        .label(format!("set by {}", written(primary)))
        .help(format!(
            "keep heartbeat.interval.ms at most {} ms, or raise session.timeout.ms to at least {} ms",
            session_val / 3,
            hb_val.saturating_mul(3)
        ))
        .resource(client.resource);
    if let Some(o) = other {
        f = f.with_label(o.span(), format!("set by {}", written(o)));
    }
    out.push(f);
}

impl Rule for HeartbeatAboveSessionThird {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for client in app_clients(&cx.model.clients) {
            let mut seen = Vec::new();
            for view in client
                .views()
                .into_iter()
                .filter(|v| matches!(v, View::Consumer | View::StreamsConsumer))
            {
                let key = (
                    client
                        .effective("heartbeat.interval.ms", view)
                        .map(|s| s.span()),
                    client
                        .effective("session.timeout.ms", view)
                        .map(|s| s.span()),
                );
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                check_view(client, view, out);
            }
        }
    }
}
