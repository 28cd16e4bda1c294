//! One module per rule.

pub mod direct_memory_unbounded;
pub mod ephemeral_log_storage;
pub mod implicit_retention;
pub mod invalid_jvm_size;
pub mod low_min_insync_replicas;
pub mod low_replication_factor;
pub mod memory_over_limit;
pub mod syntax_error;

use kafkalint_model::{Broker, Lookup};

/// Controller-only KRaft nodes hold no topic data, so topic-level defaults do not apply.
pub(crate) fn is_controller_only(broker: &Broker) -> bool {
    matches!(broker.config.lookup("process.roles"), Lookup::Set(_, roles) if roles.trim() == "controller")
}
