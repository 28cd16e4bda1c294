//! One module per rule.

pub mod apache_default_config_dropped;
pub mod broker_key_in_client;
mod catalog_support;
mod client_support;
pub mod consumer_auto_commit;
pub mod direct_memory_unbounded;
pub mod env_skipped_by_mounted_config;
pub mod ephemeral_log_storage;
pub mod forced_log_flush;
pub mod g1_dropped;
pub mod heap_overridden;
pub mod heap_too_large;
pub mod heartbeat_above_session_third;
pub mod ignored_image_env;
mod image_support;
pub mod implicit_retention;
pub mod inconsistent_message_sizes;
pub mod ineffective_ram_percentage;
pub mod invalid_config_value;
pub mod invalid_jvm_size;
pub mod keda_replicas_above_partitions;
pub mod keda_trigger_key_typo;
pub mod low_min_insync_replicas;
pub mod low_replication_factor;
pub mod memory_over_limit;
pub mod memory_request_below_limit;
pub mod min_insync_not_below_replication;
pub mod missing_cluster_id;
pub mod missing_disruption_budget;
pub mod no_memory_limit;
pub mod non_integer_node_id;
pub mod producer_acks_not_all;
pub mod producer_idempotence_disabled;
pub mod properties_inline_comment;
pub mod quorum_voters;
pub mod removed_config_key;
pub mod replication_above_brokers;
pub mod replication_timeouts;
pub mod retention_exceeds_disk;
pub mod service_link_port_clash;
pub mod shared_consumer_group;
pub mod strimzi_delete_claim;
pub mod strimzi_forbidden_key;
pub mod syntax_error;
mod topology_support;
pub mod unbounded_time_retention;
pub mod unclean_leader_election;
pub mod undefined_env_reference;
pub mod unknown_config_key;
pub mod unknown_suppression;
pub mod unspread_brokers;
pub mod unused_suppression;
pub mod wrong_config_scope;
pub mod zookeeper_mode;

use kafkalint_model::{Broker, Lookup};

use crate::Finding;

/// Controller-only KRaft nodes hold no topic data, so topic-level defaults do not apply.
pub(crate) fn is_controller_only(broker: &Broker) -> bool {
    matches!(broker.config.lookup("process.roles"), Lookup::Set(_, roles) if roles.trim() == "controller")
}

/// A broker integer key below `min`: set too low (at its value), or unset with a Kafka default
/// below `min` (at the broker). `ignore` is a value with a special meaning that is never low.
pub(crate) fn broker_key_below_min(
    broker: &Broker,
    key: &str,
    default: i64,
    min: i64,
    ignore: Option<i64>,
    set_label: impl Fn(i64) -> String,
) -> Option<Finding> {
    match broker.config.lookup(key) {
        Lookup::Set(s, v) => {
            let n = v.trim().parse::<i64>().ok()?;
            (n < min && Some(n) != ignore).then(|| {
                Finding::new(s.origin.span, format!("{key} is {n}, below the minimum of {min}"))
                    .key(key)
                    .label(set_label(n))
                    .help(format!("set {key} to {min} or more"))
                    .resource(broker.resource)
            })
        }
        Lookup::Default if default < min => Some(
            Finding::new(
                broker.anchor,
                format!("{key} is not set, so Kafka's default of {default} applies, below the minimum of {min}"),
            )
            .label(format!("broker config of {}", broker.display))
            .key(key)
            .help(format!("set {key}={min} in the broker config"))
            .resource(broker.resource),
        ),
        _ => None,
    }
}
