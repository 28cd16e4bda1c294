use kafkalint_model::image::{env_effect, EnvEffect, ImageFamily, BITNAMI_MOUNTED_CONF_DIR};

use super::image_support::{broker_env, file_mount, image_entrypoint_runs, FileMount};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds `KAFKA_CFG_*` variables that bitnami/kafka skips because a `server.properties` is
    /// mounted where it looks for one. That directory is `/bitnami/kafka/config`, or
    /// `KAFKA_MOUNTED_CONF_DIR`; the legacy names bitnami copies to `KAFKA_CFG_*` are skipped
    /// too. The finding points at the mount and labels every variable that is skipped.
    ///
    /// ## Why is this bad?
    /// When that file exists, bitnami copies it as the broker config and skips all env-based
    /// configuration (it logs "Skipping configuration based on env variables"). Every
    /// `KAFKA_CFG_*` variable then does nothing, although the manifest shows them right next
    /// to the broker. (Source: bitnami/containers `libkafka.sh` `kafka_initialize` and
    /// `kafka-env.sh` (`KAFKA_MOUNTED_CONF_DIR`), see `images.json`.)
    ///
    /// ## Example
    /// ```yaml
    /// image: bitnami/kafka:3.9.0
    /// env:
    ///   - name: KAFKA_CFG_NUM_PARTITIONS
    ///     value: "6"
    /// volumeMounts:
    ///   - name: config
    ///     mountPath: /bitnami/kafka/config/server.properties
    ///     subPath: server.properties
    /// ```
    ///
    /// ## Fix
    /// Put the settings into the mounted `server.properties` and drop the `KAFKA_CFG_*`
    /// variables, or drop the mounted file and configure with env only.
    pub struct EnvSkippedByMountedConfig {
        code: "IMG002",
        name: "env-skipped-by-mounted-config",
        category: Image,
        severity: Error,
    }
}

/// Labels beyond this many would bury the snippet; the message still gives the count.
const MAX_LABELS: usize = 12;

impl Rule for EnvSkippedByMountedConfig {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            if broker.family != ImageFamily::Bitnami {
                continue;
            }
            let container = cx.model.container_of(broker);
            if container.is_none() || !image_entrypoint_runs(broker.family, container) {
                continue;
            }
            let Some(env) = broker_env(cx.model, broker) else {
                continue;
            };
            let dir = match env.get("KAFKA_MOUNTED_CONF_DIR") {
                None => BITNAMI_MOUNTED_CONF_DIR.to_string(),
                Some(v) => match v.value {
                    Some(d) if !d.is_empty() && !d.contains('$') => d.to_string(),
                    Some("") => BITNAMI_MOUNTED_CONF_DIR.to_string(),
                    _ => continue,
                },
            };
            let FileMount::Present(mount) = file_mount(cx.model, broker, &dir, "server.properties")
            else {
                continue;
            };
            let mut skipped: Vec<&super::image_support::EnvSite<'_>> = Vec::new();
            for var in &env.vars {
                let config = matches!(env_effect(broker.family, &var.name), EnvEffect::Config(_));
                if config && !skipped.iter().any(|s| s.name == var.name) {
                    skipped.push(var);
                }
            }
            let Some(first) = skipped.first() else {
                continue;
            };
            let message = if skipped.len() == 1 {
                format!(
                    "{} is skipped: bitnami/kafka ignores all KAFKA_CFG_* variables when {dir}/server.properties is mounted",
                    first.name
                )
            } else {
                let mut names: Vec<&str> = skipped.iter().take(3).map(|s| &*s.name).collect();
                if skipped.len() > 3 {
                    names.push("...");
                }
                format!(
                    "{} config variables are skipped ({}): bitnami/kafka ignores KAFKA_CFG_* and its legacy names when {dir}/server.properties is mounted",
                    skipped.len(),
                    names.join(", ")
                )
            };
            let mut f = Finding::new(mount, message)
                .label("server.properties mounted here")
                .help("move these settings into the mounted server.properties, or stop mounting it and configure with env only")
                .resource(broker.resource);
            for var in skipped.iter().take(MAX_LABELS) {
                f = f.with_label(var.name_span, format!("{} is skipped", var.name));
            }
            out.push(f);
        }
    }
}
