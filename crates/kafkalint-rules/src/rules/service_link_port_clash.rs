use kafkalint_model::image::{ImageFamily, CONFLUENT_FATAL_ENV};

use super::image_support::{
    broker_env, command_text, image_entrypoint_runs, kafka_services, links_owner, mentions,
    service_link, ServiceLink,
};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds cp-kafka (and cp-server) containers that will see `KAFKA_PORT`, `KAFKA_HOST`,
    /// `KAFKA_ADVERTISED_PORT` or `KAFKA_ADVERTISED_HOST`. Most often nobody wrote them:
    /// a Service named `kafka` (with a cluster IP) in the same namespace makes the kubelet
    /// inject `KAFKA_PORT=tcp://<ip>:<port>` into every pod that keeps service links on,
    /// which is the default. A Service named `kafka-advertised` injects
    /// `KAFKA_ADVERTISED_PORT` the same way. Setting one of the four by hand is reported too.
    ///
    /// ## Why is this bad?
    /// cp-kafka's `configure` script exits with "port is deprecated. Please use
    /// KAFKA_ADVERTISED_LISTENERS instead." when any of them is non-empty: the broker
    /// crash-loops before Kafka starts, and the pod spec shows no such variable. Headless
    /// Services (`clusterIP: None`) get no service-link variables. (Source:
    /// confluentinc/kafka-images `kafka/include/etc/confluent/docker/configure`, see
    /// `images.json` `kubernetes_pitfall`; which Services get link variables: kubernetes/kubernetes
    /// `pkg/kubelet/envvars/envvars.go` `FromServices`, which skips Services without a cluster
    /// IP.)
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// metadata:
    ///   name: kafka
    /// spec:
    ///   ports: [{port: 9092}]
    /// ---
    /// kind: StatefulSet
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: kafka
    ///           image: confluentinc/cp-kafka:7.8.0
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///     spec:
    ///       enableServiceLinks: false
    /// ```
    /// or give the Service another name (`kafka-broker`).
    pub struct ServiceLinkPortClash {
        code: "IMG004",
        name: "cp-kafka-port-env",
        category: Image,
        severity: Error,
    }
}

impl Rule for ServiceLinkPortClash {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // The Services whose links carry a variable cp-kafka exits on, with the first such
        // variable (the one a broker is checked for), worked out once for all brokers.
        let mut fatal_links: Option<Vec<(ServiceLink<'_>, String)>> = None;
        for broker in &cx.model.brokers {
            if broker.family != ImageFamily::Confluent {
                continue;
            }
            let container = cx.model.container_of(broker);
            if !image_entrypoint_runs(broker.family, container) {
                continue;
            }
            let Some(env) = broker_env(cx.model, broker) else {
                continue;
            };
            let command = container.map(command_text).unwrap_or_default();
            let mut reported = false;
            for name in CONFLUENT_FATAL_ENV {
                let Some(var) = env.get(name) else { continue };
                // An empty value passes the script's `-n` test; an unknown one may be empty.
                if var.value.is_none_or(str::is_empty) || mentions(&command, name) {
                    continue;
                }
                reported = true;
                out.push(
                    Finding::new(
                        var.name_span,
                        format!("{name} makes cp-kafka's configure script exit (\"{} is deprecated\"): the broker crash-loops", deprecated_key(name)),
                    )
                    .label("cp-kafka refuses this variable")
                    .help("remove it and describe the listeners with KAFKA_LISTENERS and KAFKA_ADVERTISED_LISTENERS")
                    .resource(broker.resource),
                );
            }
            if reported {
                continue;
            }
            let Some(owner) = links_owner(cx.model, broker) else {
                continue;
            };
            let links = fatal_links.get_or_insert_with(|| {
                kafka_services(cx.model)
                    .map(service_link)
                    .filter_map(|link| {
                        let name = link
                            .vars
                            .iter()
                            .find(|v| CONFLUENT_FATAL_ENV.contains(&v.as_str()))?
                            .clone();
                        Some((link, name))
                    })
                    .collect()
            });
            // Whether a variable is set in the container or named by its command does not
            // depend on the Service: each is decided once per broker.
            let mut overridden: Vec<&str> = Vec::new();
            for (link, name) in links.iter() {
                if !link.service.same_namespace(&owner.id.namespace)
                    || overridden.contains(&name.as_str())
                {
                    continue;
                }
                let name = name.as_str();
                // A value set in the container wins over the injected one.
                if env.get(name).is_some() || mentions(&command, name) {
                    overridden.push(name);
                    continue;
                }
                let service = &link.service.id.name;
                let port = link.first_port().unwrap_or("<port>");
                out.push(
                    Finding::new(
                        broker.anchor,
                        format!(
                            "Service {service} makes the kubelet inject {name}=tcp://<cluster IP>:{port} into {}, and cp-kafka's configure script exits on it (\"{} is deprecated\"): the broker crash-loops",
                            broker.display,
                            deprecated_key(name)
                        ),
                    )
                    .label(format!("gets {name} from Service {service}"))
                    .with_label(link.span(), format!("Service {service} has a cluster IP, so its links are injected"))
                    .help(format!(
                        "set enableServiceLinks: false in the pod spec, or rename Service {service} (a headless Service gets no links)"
                    ))
                    .resource(broker.resource),
                );
                break;
            }
        }
    }
}

/// The key cp-kafka names in its exit message.
fn deprecated_key(var: &str) -> String {
    var.strip_prefix("KAFKA_")
        .unwrap_or(var)
        .to_ascii_lowercase()
        .replace('_', ".")
}
