use crate::rules::*;
use crate::Rule;

static RULES: &[&dyn Rule] = &[
    &syntax_error::SyntaxError,
    &direct_memory_unbounded::DirectMemoryUnbounded,
    &memory_over_limit::MemoryOverLimit,
    &invalid_jvm_size::InvalidJvmSize,
    &low_replication_factor::LowReplicationFactor,
    &low_min_insync_replicas::LowMinInsyncReplicas,
    &ephemeral_log_storage::EphemeralLogStorage,
    &implicit_retention::ImplicitRetention,
    &unknown_suppression::UnknownSuppression,
    &unused_suppression::UnusedSuppression,
    // Config keys and values (CFG)
    &unknown_config_key::UnknownConfigKey,
    &wrong_config_scope::WrongConfigScope,
    &removed_config_key::RemovedConfigKey,
    &invalid_config_value::InvalidConfigValue,
    &strimzi_forbidden_key::StrimziForbiddenKey,
    &inconsistent_message_sizes::InconsistentMessageSizes,
    &replication_timeouts::ReplicationTimeouts,
    &unclean_leader_election::UncleanLeaderElection,
    &forced_log_flush::ForcedLogFlush,
    &unbounded_time_retention::UnboundedTimeRetention,
    // Images (IMG)
    &ignored_image_env::IgnoredImageEnv,
    &env_skipped_by_mounted_config::EnvSkippedByMountedConfig,
    &apache_default_config_dropped::ApacheDefaultConfigDropped,
    &service_link_port_clash::ServiceLinkPortClash,
    &heap_overridden::HeapOverridden,
    &ineffective_ram_percentage::IneffectiveRamPercentage,
    &g1_dropped::G1Dropped,
    &no_memory_limit::NoMemoryLimit,
    &memory_request_below_limit::MemoryRequestBelowLimit,
    &heap_too_large::HeapTooLarge,
    // Topology and KRaft (TOP)
    &non_integer_node_id::NonIntegerNodeId,
    &undefined_env_reference::UndefinedEnvReference,
    &missing_cluster_id::MissingClusterId,
    &quorum_voters::QuorumVoters,
    &zookeeper_mode::ZookeeperMode,
    &missing_disruption_budget::MissingDisruptionBudget,
    &unspread_brokers::UnspreadBrokers,
    &replication_above_brokers::ReplicationAboveBrokers,
    &min_insync_not_below_replication::MinInsyncNotBelowReplication,
    // Clients and KEDA (CLI)
    &properties_inline_comment::PropertiesInlineComment,
    &shared_consumer_group::SharedConsumerGroup,
    &producer_acks_not_all::ProducerAcksNotAll,
    &producer_idempotence_disabled::ProducerIdempotenceDisabled,
    &consumer_auto_commit::ConsumerAutoCommit,
    &broker_key_in_client::BrokerKeyInClient,
    &heartbeat_above_session_third::HeartbeatAboveSessionThird,
    &keda_replicas_above_partitions::KedaReplicasAbovePartitions,
    &keda_trigger_key_typo::KedaTriggerKeyTypo,
    // Capacity and other sources (CAP)
    &retention_exceeds_disk::RetentionExceedsDisk,
    &strimzi_delete_claim::StrimziDeleteClaim,
];

pub fn all_rules() -> &'static [&'static dyn Rule] {
    RULES
}

/// A rule by code (case-insensitive) or name.
pub fn find_rule(code_or_name: &str) -> Option<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.meta().code.eq_ignore_ascii_case(code_or_name) || r.meta().name == code_or_name)
}
