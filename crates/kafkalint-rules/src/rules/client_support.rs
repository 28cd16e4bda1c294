//! What the client and KEDA rules share: catalog questions about a key in any documented
//! version (client versions are rarely visible), and a small edit distance.

use kafkalint_catalog::{self as catalog, ConfigType, Group, KafkaVersion};
use kafkalint_model::client::{Client, ClientSetting, View};

/// Groups that document `key` in any catalog version.
pub(crate) fn groups_anywhere(key: &str) -> Vec<Group> {
    let mut groups = Vec::new();
    for v in KafkaVersion::ALL {
        for g in catalog::groups_of(v, key) {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
    }
    groups
}

/// Kafka parses the key as a number or a boolean in some documented version.
pub(crate) fn is_numeric_or_boolean(key: &str) -> Option<ConfigType> {
    KafkaVersion::ALL.iter().find_map(|v| {
        Group::ALL.iter().find_map(|g| {
            catalog::lookup(*v, *g, key).map(|k| k.ty).filter(|ty| {
                matches!(
                    ty,
                    ConfigType::Int
                        | ConfigType::Long
                        | ConfigType::Short
                        | ConfigType::Double
                        | ConfigType::Boolean
                )
            })
        })
    })
}

/// Clients the client rules look at: application clients, not Connect or MirrorMaker workers.
pub(crate) fn app_clients(clients: &[Client]) -> impl Iterator<Item = &Client> {
    clients.iter().filter(|c| !c.connect)
}

/// The settings that decide `key` for each of the client's views, once each.
pub(crate) fn effective_settings<'c>(
    client: &'c Client,
    key: &str,
    views: &[View],
) -> Vec<(&'c ClientSetting, View)> {
    let mut out: Vec<(&ClientSetting, View)> = Vec::new();
    let present = client.views();
    for view in views.iter().filter(|v| present.contains(v)) {
        if let Some(s) = client.effective(key, *view) {
            if !out.iter().any(|(o, _)| std::ptr::eq(*o, s)) {
                out.push((s, *view));
            }
        }
    }
    out
}

/// How a value came in, for messages: `spring.kafka.producer.acks`, `acks`.
pub(crate) fn written(s: &ClientSetting) -> String {
    if s.written == s.key {
        s.key.clone()
    } else {
        format!("{} (Kafka's {})", s.written, s.key)
    }
}

/// Values resolved elsewhere: `${...}` placeholders, unexpanded `$(VAR)`.
pub(crate) fn is_placeholder(value: &str) -> bool {
    value.contains('$') || value.contains('`')
}

/// Optimal string alignment distance, ASCII case ignored, when at most `limit`.
pub(crate) fn distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= limit).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance_within("lagTreshold", "lagThreshold", 2), Some(1));
        assert_eq!(distance_within("lagthreshold", "lagThreshold", 2), Some(0));
        assert_eq!(distance_within("topci", "topic", 1), Some(1));
        assert_eq!(
            distance_within("consumerOffset", "offsetResetPolicy", 2),
            None
        );
    }

    #[test]
    fn catalog_questions() {
        assert!(is_numeric_or_boolean("batch.size").is_some());
        assert!(is_numeric_or_boolean("compression.type").is_none());
        let g = groups_anywhere("log.flush.interval.messages");
        assert!(g.contains(&Group::Broker) && !g.contains(&Group::Producer));
    }
}
