//! `deploy/webhook/`: every manifest parses as its Kubernetes type with no field lost (what
//! kubeconform checks), the pieces refer to each other correctly, kustomize renders them,
//! kafkalint lints them clean, and selfsigned.sh makes certificates the server serves.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use clap::Parser;
use k8s_openapi::api::admissionregistration::v1::ValidatingWebhookConfiguration;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service, ServiceAccount};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kafkalint_engine::{lint, FileKind, LintOptions, Workspace};
use kafkalint_webhook::Config;
use serde::Deserialize;
use serde_json::Value;

fn deploy_dir() -> PathBuf {
    common::repo().join("deploy/webhook")
}

/// Every document of every manifest, as JSON, by kind.
fn manifests() -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(deploy_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 9, "{files:?}");
    for file in files {
        if file.ends_with("kustomization.yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let v: Value = Value::deserialize(doc).unwrap_or_else(|e| panic!("{file:?}: {e}"));
            let kind = v["kind"].as_str().unwrap().to_string();
            out.entry(kind).or_default().push(v);
        }
    }
    out
}

/// Parse as the typed object and back: a misspelled or misplaced field would be dropped.
fn strict<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value) -> T {
    let typed: T = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(&back, v, "fields lost in the round trip");
    typed
}

fn one<'a>(all: &'a BTreeMap<String, Vec<Value>>, kind: &str) -> &'a Value {
    let list = &all[kind];
    assert_eq!(list.len(), 1, "{kind}");
    &list[0]
}

#[test]
fn manifests_are_valid_kubernetes_objects_that_fit_together() {
    let all = manifests();
    let _: Namespace = strict(one(&all, "Namespace"));
    let _: ServiceAccount = strict(one(&all, "ServiceAccount"));
    let policy_cm: ConfigMap = strict(one(&all, "ConfigMap"));
    let deploy: Deployment = strict(one(&all, "Deployment"));
    let pdb: PodDisruptionBudget = strict(one(&all, "PodDisruptionBudget"));
    let service: Service = strict(one(&all, "Service"));
    let hook: ValidatingWebhookConfiguration = strict(one(&all, "ValidatingWebhookConfiguration"));

    let spec = deploy.spec.as_ref().unwrap();
    assert_eq!(spec.replicas, Some(2));
    let pod = spec.template.spec.as_ref().unwrap();
    let pod_labels = spec
        .template
        .metadata
        .as_ref()
        .unwrap()
        .labels
        .clone()
        .unwrap();
    let anti = pod
        .affinity
        .as_ref()
        .and_then(|a| a.pod_anti_affinity.as_ref())
        .expect("pod anti-affinity");
    let term = &anti
        .preferred_during_scheduling_ignored_during_execution
        .as_ref()
        .unwrap()[0];
    assert_eq!(
        term.pod_affinity_term.topology_key,
        "kubernetes.io/hostname"
    );
    let psc = pod.security_context.as_ref().unwrap();
    assert_eq!(psc.run_as_non_root, Some(true));
    let c = &pod.containers[0];
    let sc = c.security_context.as_ref().unwrap();
    assert_eq!(sc.read_only_root_filesystem, Some(true));
    assert_eq!(sc.allow_privilege_escalation, Some(false));
    assert_eq!(
        sc.capabilities.as_ref().unwrap().drop.as_deref(),
        Some(&["ALL".to_string()][..])
    );
    let res = c.resources.as_ref().unwrap();
    assert!(res.requests.as_ref().unwrap().contains_key("memory"));
    assert!(res.limits.as_ref().unwrap().contains_key("memory"));
    for (probe, path) in [
        (c.readiness_probe.as_ref(), "/readyz"),
        (c.liveness_probe.as_ref(), "/healthz"),
    ] {
        let get = probe.unwrap().http_get.as_ref().unwrap();
        assert_eq!(get.path.as_deref(), Some(path));
        assert_eq!(get.scheme.as_deref(), Some("HTTPS"));
    }

    // The container's arguments are flags the server accepts, pointing into its volumes.
    let mut argv = vec!["kafkalint-webhook".to_string()];
    argv.extend(c.args.clone().unwrap());
    let config = Config::try_parse_from(&argv).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.listen.port(), 8443);
    assert!(config.warn_only, "ships in warn-only mode (README)");
    let mounts = c.volume_mounts.as_ref().unwrap();
    let volume_of = |path: &std::path::Path| {
        let m = mounts
            .iter()
            .find(|m| path.starts_with(&m.mount_path))
            .unwrap_or_else(|| panic!("{path:?} is not mounted"));
        pod.volumes
            .as_ref()
            .unwrap()
            .iter()
            .find(|v| v.name == m.name)
            .unwrap()
            .clone()
    };
    let tls = volume_of(&config.tls_cert);
    assert_eq!(volume_of(&config.tls_key).name, tls.name);
    let tls_secret = tls.secret.unwrap().secret_name.unwrap();
    let policy_volume = volume_of(std::path::Path::new(&config.policy));
    assert_eq!(
        policy_volume.config_map.unwrap().name,
        policy_cm.metadata.name.clone().unwrap()
    );
    let policy_key = std::path::Path::new(&config.policy)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let policy_text = &policy_cm.data.as_ref().unwrap()[&policy_key];
    kafkalint_policy::Policy::parse(policy_text).unwrap();

    // PDB and Service select the pods.
    let selects =
        |sel: &BTreeMap<String, String>| sel.iter().all(|(k, v)| pod_labels.get(k) == Some(v));
    let pdb_spec = pdb.spec.unwrap();
    assert!(pdb_spec.min_available.is_some() || pdb_spec.max_unavailable.is_some());
    assert!(selects(&pdb_spec.selector.unwrap().match_labels.unwrap()));
    let svc_spec = service.spec.unwrap();
    assert!(selects(svc_spec.selector.as_ref().unwrap()));
    let svc_port = &svc_spec.ports.as_ref().unwrap()[0];

    // The webhooks: the resources the issue lists, v1 reviews, no side effects, a bounded
    // timeout, a failure policy, and kube-system and our own namespace left alone.
    let ns = deploy.metadata.namespace.clone().unwrap();
    let svc_name = service.metadata.name.clone().unwrap();
    let mut covered = Vec::new();
    let hooks = hook.webhooks.as_ref().unwrap();
    for w in hooks {
        assert_eq!(w.admission_review_versions, ["v1"]);
        assert_eq!(w.side_effects, "None");
        assert!(w.timeout_seconds.is_some_and(|t| (1..=10).contains(&t)));
        assert!(matches!(
            w.failure_policy.as_deref(),
            Some("Ignore" | "Fail")
        ));
        let s = w.client_config.service.as_ref().unwrap();
        assert_eq!(s.name, svc_name);
        assert_eq!(s.namespace, ns);
        assert_eq!(s.path.as_deref(), Some("/validate"));
        assert_eq!(s.port, Some(svc_port.port));
        let exprs = w
            .namespace_selector
            .as_ref()
            .unwrap()
            .match_expressions
            .as_ref()
            .unwrap();
        let excluded: Vec<&String> = exprs
            .iter()
            .filter(|e| e.key == "kubernetes.io/metadata.name" && e.operator == "NotIn")
            .flat_map(|e| e.values.iter().flatten())
            .collect();
        assert!(excluded.contains(&&"kube-system".to_string()));
        assert!(excluded.contains(&&ns));
        for r in w.rules.as_ref().unwrap() {
            let ops = r.operations.as_ref().unwrap();
            assert!(ops.contains(&"CREATE".into()) && ops.contains(&"UPDATE".into()));
            for g in r.api_groups.as_ref().unwrap() {
                for v in r.api_versions.as_ref().unwrap() {
                    for res in r.resources.as_ref().unwrap() {
                        covered.push(format!("{g}/{v}/{res}"));
                    }
                }
            }
        }
    }
    for want in [
        "apps/v1/statefulsets",
        "apps/v1/deployments",
        "/v1/configmaps",
        "/v1/pods",
        "kafka.strimzi.io/*/kafkas",
        "kafka.strimzi.io/*/kafkanodepools",
        "kafka.strimzi.io/*/kafkatopics",
        "platform.confluent.io/*/kafkas",
        "keda.sh/*/scaledobjects",
    ] {
        assert!(covered.contains(&want.to_string()), "{want} in {covered:?}");
    }

    // cert-manager: the annotated Certificate exists, writes the Secret the pods mount, and
    // names the Service.
    let inject =
        hook.metadata.annotations.as_ref().unwrap()["cert-manager.io/inject-ca-from"].clone();
    let certs = &all["Certificate"];
    let cert = certs
        .iter()
        .find(|c| {
            format!(
                "{}/{}",
                c["metadata"]["namespace"].as_str().unwrap(),
                c["metadata"]["name"].as_str().unwrap()
            ) == inject
        })
        .unwrap_or_else(|| panic!("no Certificate {inject}"));
    assert_eq!(cert["spec"]["secretName"], tls_secret.as_str());
    let dns: Vec<&str> = cert["spec"]["dnsNames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(dns.contains(&format!("{svc_name}.{ns}.svc").as_str()));
    let issuers: Vec<&str> = all["Issuer"]
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    for c in certs {
        assert_eq!(c["apiVersion"], "cert-manager.io/v1");
        assert!(issuers.contains(&c["spec"]["issuerRef"]["name"].as_str().unwrap()));
    }
}

#[test]
fn kustomize_renders_the_directory() {
    let out = match Command::new("kubectl")
        .args(["kustomize"])
        .arg(deploy_dir())
        .output()
    {
        Ok(o) => o,
        Err(_) => {
            eprintln!("skipped: kubectl is not installed");
            return;
        }
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let kinds: Vec<String> = serde_yaml::Deserializer::from_str(&text)
        .map(|d| {
            Value::deserialize(d).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let total: usize = manifests().values().map(Vec::len).sum();
    assert_eq!(kinds.len(), total, "{kinds:?}");
    assert!(kinds.contains(&"ValidatingWebhookConfiguration".to_string()));
}

#[test]
fn kafkalint_finds_nothing_in_its_own_manifests() {
    let mut ws = Workspace::new();
    for e in std::fs::read_dir(deploy_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&p).unwrap();
            ws.add_text(&p.to_string_lossy(), text, FileKind::Yaml);
        }
    }
    let result = lint(ws, &LintOptions::default());
    let found: Vec<String> = result
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(found.is_empty(), "{found:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selfsigned_sh_makes_a_certificate_the_server_serves_for_the_service_name() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("skipped: openssl is not installed");
        return;
    }
    let dir = common::temp_dir("selfsigned");
    let out = Command::new("bash")
        .arg(deploy_dir().join("selfsigned.sh"))
        .arg(&dir)
        .env("DAYS", "2")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ca_pem = std::fs::read(dir.join("ca.crt")).unwrap();
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    let ca = tokio_rustls::rustls::pki_types::CertificateDer::from_pem_slice(&ca_pem).unwrap();

    let mut config = common::config(&dir);
    config.tls_cert = dir.join("tls.crt");
    config.tls_key = dir.join("tls.key");
    let server = kafkalint_webhook::Server::bind(config).await.unwrap();
    let addr = server.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async {
        let _ = rx.await;
    }));
    let client = common::Client::new(addr, &[ca]).named("kafkalint-webhook.kafkalint.svc");
    assert_eq!(client.get("/healthz").await.status, 200);
    let _ = tx.send(());
    task.await.unwrap().unwrap();
}
