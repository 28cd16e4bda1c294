use super::client_support::distance_within;
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks the `metadata` keys of KEDA `kafka` and `apache-kafka` triggers (in
    /// `ScaledObject`s and `ScaledJob`s) against the parameters KEDA documents, and reports
    /// a key that is one or two edits (or only letter case) away from a documented one, such
    /// as `lagTreshold` for `lagThreshold`, with the suggestion. It also reports
    /// `ScaledObject` fields written inside the trigger metadata (`maxReplicaCount`,
    /// `minReplicaCount`, `pollingInterval`, `cooldownPeriod`...). Unknown keys far from any
    /// documented one are left alone: they may come from a newer KEDA.
    ///
    /// Documented parameters (KEDA 2.17 docs and `kafka_scaler.go`): `bootstrapServers`,
    /// `consumerGroup`, `topic` (each also as `...FromEnv`), `lagThreshold`,
    /// `activationLagThreshold`, `offsetResetPolicy`, `allowIdleConsumers`,
    /// `excludePersistentLag`, `scaleToZeroOnInvalidOffset`, `limitToPartitionsWithLag`,
    /// `ensureEvenDistributionOfPartitions`, `partitionLimitation`, `version`, `sasl`,
    /// `saslTokenProvider`, `tls`, `unsafeSsl`, `awsRegion`; the authentication parameters
    /// (`username`, `password`, `ca`, `cert`, `key`, `keyPassword`, `keytab`, `realm`,
    /// `kerberosConfig`, `kerberosServiceName`, `kerberosDisableFAST`, `oauthTokenEndpointUri`,
    /// `scopes`, `oauthExtensions`, `awsRoleArn`, `awsAccessKeyID`, `awsSecretAccessKey`); and
    /// KEDA 1.x's `brokerList` and `authMode`.
    ///
    /// ## Why is this bad?
    /// KEDA reads only the keys it knows and ignores the rest (recent versions add a warning
    /// event, nothing more). A misspelt `lagTreshold` leaves the lag threshold at its default
    /// of 10; a `maxReplicaCount` inside the metadata leaves the real one at 100. The scaler
    /// works, just not as configured. (Source: kedacore/keda-docs
    /// `content/docs/2.17/scalers/apache-kafka.md` and `apache-kafka-go.md`; kedacore/keda
    /// `pkg/scalers/kafka_scaler.go` and `scalersconfig` typed config.)
    ///
    /// ## Example
    /// ```yaml
    /// triggers:
    ///   - type: kafka
    ///     metadata:
    ///       lagTreshold: "1000"
    ///       maxReplicaCount: "10"
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// spec:
    ///   maxReplicaCount: 10
    ///   triggers:
    ///     - type: kafka
    ///       metadata:
    ///         lagThreshold: "1000"
    /// ```
    pub struct KedaTriggerKeyTypo {
        code: "CLI008",
        name: "keda-trigger-key-typo",
        category: Client,
        severity: Error,
    }
}

/// Our table of the Kafka scaler's metadata parameters, from the KEDA 2.17 docs and source.
const KNOWN: &[&str] = &[
    "bootstrapServers",
    "consumerGroup",
    "topic",
    "lagThreshold",
    "activationLagThreshold",
    "offsetResetPolicy",
    "allowIdleConsumers",
    "excludePersistentLag",
    "scaleToZeroOnInvalidOffset",
    "limitToPartitionsWithLag",
    "ensureEvenDistributionOfPartitions",
    "partitionLimitation",
    "version",
    "sasl",
    "saslTokenProvider",
    "tls",
    "unsafeSsl",
    "awsRegion",
    // Authentication parameters, normally in a TriggerAuthentication.
    "username",
    "password",
    "ca",
    "cert",
    "key",
    "keyPassword",
    "keytab",
    "realm",
    "kerberosConfig",
    "kerberosServiceName",
    "kerberosDisableFAST",
    "oauthTokenEndpointUri",
    "scopes",
    "oauthExtensions",
    "awsRoleArn",
    "awsAccessKeyID",
    "awsSecretAccessKey",
    // KEDA 1.x.
    "brokerList",
    "authMode",
];

/// `ScaledObject`/`ScaledJob` spec fields people put into trigger metadata by mistake.
const SPEC_FIELDS: &[&str] = &[
    "minReplicaCount",
    "maxReplicaCount",
    "idleReplicaCount",
    "pollingInterval",
    "cooldownPeriod",
    "initialCooldownPeriod",
];

fn suggestion(key: &str) -> Option<&'static str> {
    let limit = if key.chars().count() >= 8 { 2 } else { 1 };
    KNOWN
        .iter()
        .filter_map(|k| distance_within(key, k, limit).map(|d| (d, *k)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

impl Rule for KedaTriggerKeyTypo {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for s in &cx.model.scalers {
            for t in &s.triggers {
                for p in &t.metadata {
                    let base = p.key.strip_suffix("FromEnv").unwrap_or(&p.key);
                    if KNOWN.contains(&base) {
                        continue;
                    }
                    let finding = if let Some(field) =
                        SPEC_FIELDS.iter().find(|f| f.eq_ignore_ascii_case(base))
                    {
                        Finding::new(
                            p.key_span,
                            format!(
                                "{} is a {} field, not {} trigger metadata: KEDA ignores it here",
                                p.key, s.kind, t.trigger_type
                            ),
                        )
                        .label("ignored")
                        .help(format!("move it to spec.{field} of the {}", s.kind))
                    } else if let Some(known) = suggestion(base) {
                        Finding::new(
                            p.key_span,
                            format!(
                                "unknown {} trigger parameter {}: KEDA ignores it (did you mean {known}?)",
                                t.trigger_type, p.key
                            ),
                        )
                        .label(format!("did you mean {known}?"))
                        .help(format!("rename it to {known}"))
                    } else {
                        continue;
                    };
                    out.push(finding.resource(Some(s.resource)));
                }
            }
        }
    }
}
