//! The real server over HTTPS with certificate verification on. AdmissionReviews are built from
//! k8s-openapi types (the Kubernetes schema, independent of kafkalint) filled from the seed
//! examples, and responses are read back with kube-core's AdmissionReview.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{start, Ca, Client};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::authentication::v1::UserInfo;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube_core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview, Operation};
use kube_core::{DynamicObject, GroupVersionKind, GroupVersionResource, Resource, TypeMeta};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The first document of `kind` in a seed example, as the typed object.
fn example<T: DeserializeOwned>(path: &str, kind: &str) -> T {
    let text = std::fs::read_to_string(common::repo().join(path)).unwrap();
    for doc in serde_yaml::Deserializer::from_str(&text) {
        let v = serde_yaml::Value::deserialize(doc).unwrap();
        if v.get("kind").and_then(|k| k.as_str()) == Some(kind) {
            return serde_yaml::from_value(v).unwrap();
        }
    }
    panic!("no {kind} in {path}")
}

fn review_of<T: Resource + Serialize>(
    object: T,
    gvk: GroupVersionKind,
    resource: &str,
    operation: Operation,
    uid: &str,
) -> Vec<u8> {
    let name = object.meta().name.clone().unwrap_or_default();
    let namespace = object.meta().namespace.clone().or(Some("default".into()));
    let gvr = GroupVersionResource::gvr(&gvk.group, &gvk.version, resource);
    let review = AdmissionReview {
        types: TypeMeta {
            api_version: "admission.k8s.io/v1".into(),
            kind: "AdmissionReview".into(),
        },
        request: Some(AdmissionRequest {
            types: TypeMeta::default(),
            uid: uid.into(),
            kind: gvk.clone(),
            resource: gvr.clone(),
            sub_resource: None,
            request_kind: Some(gvk),
            request_resource: Some(gvr),
            request_sub_resource: None,
            name,
            namespace,
            operation,
            user_info: UserInfo {
                username: Some("jane@example.com".into()),
                ..UserInfo::default()
            },
            object: Some(object),
            old_object: None,
            dry_run: false,
            options: None,
        }),
        response: None,
    };
    serde_json::to_vec(&review).unwrap()
}

fn statefulset_review(sts: StatefulSet, uid: &str) -> Vec<u8> {
    review_of(
        sts,
        GroupVersionKind::gvk("apps", "v1", "StatefulSet"),
        "statefulsets",
        Operation::Create,
        uid,
    )
}

/// The AdmissionReview response, read with kube-core's types.
fn response(reply: &common::Reply) -> AdmissionResponse {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let review: AdmissionReview<DynamicObject> = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(review.types.api_version, "admission.k8s.io/v1");
    assert_eq!(review.types.kind, "AdmissionReview");
    review.response.expect("a response")
}

fn ticketmaster() -> StatefulSet {
    example("examples/ticketmaster/kafka.yaml", "StatefulSet")
}

fn forex_before() -> StatefulSet {
    example("examples/forex-stg/before/statefulset.yml", "StatefulSet")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admission_verdicts_over_https() {
    let server = start("verdicts", |_| {}).await;
    let client = server.client();

    // Bad: the ticketmaster broker never starts and has unbounded direct memory.
    let reply = client
        .post(statefulset_review(ticketmaster(), "uid-bad"))
        .await;
    let resp = response(&reply);
    assert_eq!(resp.uid, "uid-bad");
    assert!(!resp.allowed);
    assert_eq!(resp.result.code, 403);
    let message = &resp.result.message;
    assert!(
        message.starts_with("kafkalint: StatefulSet ticketmaster/kafka has 4 error(s):"),
        "{message}"
    );
    for line in [
        "\nTOP001: KAFKA_NODE_ID is the pod name",
        "(spec.template.spec.containers[0].env[0].valueFrom.fieldRef.fieldPath)\n",
        "\nMEM001: direct memory is unbounded",
        "\nTOP002: $(ORDINAL) in KAFKA_ADVERTISED_LISTENERS",
        "\nTOP003: ",
    ] {
        assert!(message.contains(line), "{line:?} in {message}");
    }

    // Warnings only: the forex-stg StatefulSet alone (its env ConfigMap is not in the request).
    let resp = response(
        &client
            .post(statefulset_review(forex_before(), "uid-warn"))
            .await,
    );
    assert!(resp.allowed);
    assert_eq!(resp.uid, "uid-warn");
    let warnings = resp.warnings.unwrap_or_default();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("MEM005: memory request 512Mi is 10% of the 5Gi limit"));

    // Good: the same broker with its memory request at the limit.
    let mut good = forex_before();
    let resources = good
        .spec
        .as_mut()
        .and_then(|s| s.template.spec.as_mut())
        .and_then(|p| p.containers.first_mut())
        .and_then(|c| c.resources.as_mut())
        .unwrap();
    resources
        .requests
        .as_mut()
        .unwrap()
        .insert("memory".into(), Quantity("5Gi".into()));
    let resp = response(&client.post(statefulset_review(good, "uid-good")).await);
    assert!(resp.allowed);
    assert_eq!(resp.warnings, None);

    // A Strimzi Kafka (a custom resource: a DynamicObject) with unbounded direct memory.
    let kafka: DynamicObject = example("examples/strimzi/kafka.yaml", "Kafka");
    let body = review_of(
        kafka,
        GroupVersionKind::gvk("kafka.strimzi.io", "v1beta2", "Kafka"),
        "kafkas",
        Operation::Create,
        "uid-strimzi",
    );
    let resp = response(&client.post(body).await);
    assert!(!resp.allowed);
    assert!(
        resp.result.message.contains("\nMEM001: "),
        "{}",
        resp.result.message
    );
    assert!(resp
        .result
        .message
        .contains("(spec.kafka.resources.limits.memory)"));

    // Exempt namespace: admitted without a look.
    let mut sandboxed = ticketmaster();
    sandboxed.metadata.namespace = Some("sandbox".into());
    let resp = response(&client.post(statefulset_review(sandboxed, "uid-sb")).await);
    assert!(resp.allowed);

    // Metrics saw all of it.
    let metrics = client.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    for line in [
        "kafkalint_webhook_requests_total{result=\"denied\"} 2",
        "kafkalint_webhook_requests_total{result=\"warned\"} 1",
        "kafkalint_webhook_requests_total{result=\"allowed\"} 1",
        "kafkalint_webhook_requests_total{result=\"skipped\"} 1",
        "kafkalint_webhook_skipped_total{reason=\"exempt-namespace\"} 1",
        "kafkalint_webhook_findings_total{rule=\"MEM001\",severity=\"error\"} 2",
        "kafkalint_webhook_findings_total{rule=\"MEM005\",severity=\"warning\"} 3",
        "kafkalint_webhook_request_duration_seconds_count 5",
        "kafkalint_webhook_request_duration_seconds_bucket{le=\"+Inf\"} 5",
    ] {
        assert!(metrics.body.contains(line), "{line} in\n{}", metrics.body);
    }
    assert_eq!(client.get("/healthz").await.status, 200);
    assert_eq!(client.get("/readyz").await.status, 200);
    assert_eq!(client.get("/nope").await.status, 404);
    assert_eq!(client.get("/validate").await.status, 405);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_http_errors_and_the_server_stays_up() {
    let server = start("errors", |_| {}).await;
    let client = server.client();

    let reply = client
        .post(b"{\"apiVersion\": \"admission.k8s.io/v1\", ".to_vec())
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.body.contains("not JSON"), "{}", reply.body);

    let mut v: serde_json::Value =
        serde_json::from_slice(&statefulset_review(forex_before(), "uid-v1beta1")).unwrap();
    v["apiVersion"] = "admission.k8s.io/v1beta1".into();
    let reply = client.post(serde_json::to_vec(&v).unwrap()).await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.body.contains("only admission.k8s.io/v1"),
        "{}",
        reply.body
    );

    // 4 MiB: over the 3 MiB the apiserver ever sends.
    let mut big = statefulset_review(forex_before(), "uid-big");
    big.truncate(big.len() - 2);
    big.extend_from_slice(b",\"padding\":\"");
    big.resize(4 * 1024 * 1024, b'x');
    big.extend_from_slice(b"\"}}");
    let reply = client.post(big).await;
    assert_eq!(reply.status, 413, "{}", reply.body);

    // Still serving.
    let resp = response(
        &client
            .post(statefulset_review(forex_before(), "uid-after"))
            .await,
    );
    assert!(resp.allowed);
    let metrics = client.get("/metrics").await.body;
    assert!(metrics.contains("kafkalint_webhook_requests_total{result=\"invalid\"} 2"));
    assert!(metrics.contains("kafkalint_webhook_requests_total{result=\"too_large\"} 1"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_times_out_and_others_are_served() {
    // request_timeout is 1.5 s in the test config.
    let server = start("slow", |_| {}).await;
    let client = server.client();
    let started = Instant::now();

    // Headers, then a body that stops after one byte.
    let mut stalled_body = client.connect().await.unwrap();
    stalled_body
        .write_all(b"POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{")
        .await
        .unwrap();
    // Headers that never end.
    let mut stalled_headers = client.connect().await.unwrap();
    stalled_headers
        .write_all(b"POST /validate HTTP/1.1\r\nhost: local")
        .await
        .unwrap();

    // Meanwhile a normal client is served at once.
    let resp = response(
        &client
            .post(statefulset_review(forex_before(), "uid-x"))
            .await,
    );
    assert!(resp.allowed);
    assert!(started.elapsed() < Duration::from_secs(1));

    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stalled_body.read_to_end(&mut out))
        .await
        .expect("the server ends a stalled body");
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.starts_with("HTTP/1.1 408") || (read.is_ok() && out.is_empty()),
        "{text}"
    );
    assert!(started.elapsed() >= Duration::from_millis(1400));

    let mut out = Vec::new();
    let _ = tokio::time::timeout(
        Duration::from_secs(10),
        stalled_headers.read_to_end(&mut out),
    )
    .await
    .expect("the server closes a connection whose headers never end");
    let text = String::from_utf8_lossy(&out);
    assert!(out.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");

    // Up and serving.
    let resp = response(
        &client
            .post(statefulset_review(ticketmaster(), "uid-y"))
            .await,
    );
    assert!(!resp.allowed);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_certificates_reach_new_connections_without_a_restart() {
    let server = start("rotate", |_| {}).await;
    let old_client = server.client();

    let first = old_client.get("/healthz").await;
    assert_eq!(first.status, 200);
    // A connection opened before the rotation, kept alive across it.
    let tls = old_client.connect().await.unwrap();
    let (mut kept, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(conn);

    // cert-manager renews: a new CA and leaf, written as two files one after the other.
    let ca2 = Ca::new("kafkalint rotated CA");
    let leaf2 = ca2.leaf("kafkalint-webhook-rotated");
    std::fs::write(server.dir.join("tls.key"), &leaf2.key_pem).unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    std::fs::write(server.dir.join("tls.crt"), &leaf2.cert_pem).unwrap();

    let new_client = Client::new(server.addr, &[ca2.der()]);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if new_client.connect().await.is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new certificate is never served"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let reply = new_client.get("/healthz").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.peer.as_ref(), Some(&leaf2.der));
    assert_ne!(first.peer, reply.peer);
    // The old CA no longer verifies new connections (a fresh client: one that resumes a
    // TLS session is not shown a certificate at all).
    assert!(Client::new(server.addr, &[server.ca.der()])
        .connect()
        .await
        .is_err());
    // The connection from before keeps working.
    let req = hyper::Request::get("/healthz")
        .header("host", "localhost")
        .body(http_body_util::Empty::<hyper::body::Bytes>::new())
        .unwrap();
    assert_eq!(kept.send_request(req).await.unwrap().status(), 200);

    let metrics = new_client.get("/metrics").await.body;
    assert!(
        metrics.contains("kafkalint_webhook_tls_reloads_total 1"),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_file_is_reloaded_and_warn_only_never_denies() {
    let dir = common::temp_dir("policy-file");
    let policy = dir.join("policy.yaml");
    std::fs::write(&policy, "extends: default\n").unwrap();
    let path = policy.to_string_lossy().to_string();
    let server = start("policy", |c| c.policy = path).await;
    let client = server.client();
    let resp = response(&client.post(statefulset_review(ticketmaster(), "p1")).await);
    assert!(!resp.allowed);

    // A mounted ConfigMap changes: every rule becomes a warning.
    std::fs::write(
        &policy,
        "extends: default\nrules:\n  ALL: { severity: warning }\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let resp = response(&client.post(statefulset_review(ticketmaster(), "p2")).await);
        if resp.allowed {
            assert!(resp.warnings.unwrap_or_default().len() >= 4);
            break;
        }
        assert!(Instant::now() < deadline, "the policy is never reloaded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A broken edit keeps the last good policy.
    std::fs::write(&policy, "rules: [not, a, map\n").unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let resp = response(&client.post(statefulset_review(ticketmaster(), "p3")).await);
    assert!(resp.allowed);
    server.stop().await;

    let server = start("warn-only", |c| c.warn_only = true).await;
    let resp = response(
        &server
            .client()
            .post(statefulset_review(ticketmaster(), "w1"))
            .await,
    );
    assert!(resp.allowed);
    let warnings = resp.warnings.unwrap_or_default();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("would be denied: MEM001: ")),
        "{warnings:?}"
    );
    server.stop().await;
}

#[test]
fn sigterm_fails_readiness_then_exits_cleanly() {
    let dir = common::temp_dir("sigterm");
    let ca = Ca::new("kafkalint test CA");
    let leaf = ca.leaf("kafkalint-webhook");
    std::fs::write(dir.join("tls.crt"), &leaf.cert_pem).unwrap();
    std::fs::write(dir.join("tls.key"), &leaf.key_pem).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafkalint-webhook"))
        .args(["--listen", "127.0.0.1:0", "--shutdown-delay", "1s"])
        .arg("--tls-cert")
        .arg(dir.join("tls.crt"))
        .arg("--tls-key")
        .arg(dir.join("tls.key"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains('\n') {
        assert_eq!(
            stderr.read(&mut byte).unwrap(),
            1,
            "the server exited early"
        );
        seen.push(byte[0]);
    }
    let line = String::from_utf8_lossy(&seen).to_string();
    let addr: std::net::SocketAddr = line
        .trim()
        .rsplit("https://")
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|e| panic!("{e}: {line}"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = Client::new(addr, &[ca.der()]);
    assert_eq!(rt.block_on(client.get("/readyz")).status, 200);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(200));
    // Still listening, but out of the Service's endpoints.
    assert_eq!(rt.block_on(client.get("/readyz")).status, 503);
    assert_eq!(rt.block_on(client.get("/healthz")).status, 200);

    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(code) = child.try_wait().unwrap() {
            break code;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(code.success(), "{code:?}");
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    assert!(rest.contains("shutting down"), "{rest}");
    let _ = std::io::stderr().write_all(b"");
}

#[test]
fn workers_sets_the_number_of_serving_threads() {
    let dir = common::temp_dir("workers");
    let ca = Ca::new("kafkalint test CA");
    let leaf = ca.leaf("kafkalint-webhook");
    std::fs::write(dir.join("tls.crt"), &leaf.cert_pem).unwrap();
    std::fs::write(dir.join("tls.key"), &leaf.key_pem).unwrap();
    let serving_threads = |workers: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kafkalint-webhook"))
            .args(["--listen", "127.0.0.1:0", "--workers", workers])
            .arg("--tls-cert")
            .arg(dir.join("tls.crt"))
            .arg("--tls-key")
            .arg(dir.join("tls.key"))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let mut byte = [0u8; 1];
        let mut seen = Vec::new();
        while !seen.contains(&b'\n') {
            assert_eq!(
                stderr.read(&mut byte).unwrap(),
                1,
                "the server exited early"
            );
            seen.push(byte[0]);
        }
        // Each worker names itself once it runs; give them a moment.
        let named_workers = || {
            std::fs::read_dir(format!("/proc/{}/task", child.id()))
                .unwrap()
                .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .filter(|name| name.trim() == "tokio-rt-worker")
                .count()
        };
        let wanted: usize = workers.parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut count = named_workers();
        while count < wanted && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            count = named_workers();
        }
        // Any more would have started by now too.
        std::thread::sleep(Duration::from_millis(100));
        count = count.max(named_workers());
        let _ = child.kill();
        let _ = child.wait();
        count
    };
    assert_eq!(serving_threads("3"), 3);
    assert_eq!(serving_threads("1"), 1);
    let refused = Command::new(env!("CARGO_BIN_EXE_kafkalint-webhook"))
        .args(["--tls-cert", "a", "--tls-key", "b", "--workers", "0"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--workers"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_body_size_is_configurable() {
    let server = start("body-limit", |c| c.max_body_size = 1024).await;
    let client = server.client();
    let review = statefulset_review(forex_before(), "uid-small-limit");
    assert!(review.len() > 1024);
    let reply = client.post(review).await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert_eq!(client.get("/healthz").await.status, 200);
    server.stop().await;
}

/// Reads what the server sends until it closes, or until 5 s pass.
async fn read_reply(stream: &mut tokio_rustls::client::TlsStream<tokio::net::TcpStream>) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_with_or_without_a_declared_length() {
    let server = start("body-early", |c| c.max_body_size = 1024).await;
    let client = server.client();

    // A declared length over the limit.
    let reply = client
        .post(format!("{{\"padding\": \"{}\"}}", " ".repeat(4000)).into_bytes())
        .await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert!(reply.body.contains("limit of 1024 bytes"), "{}", reply.body);

    // No length declared: the body is counted as it arrives.
    let mut chunked = client.connect().await.unwrap();
    let mut request =
        b"POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..3 {
        request.extend_from_slice(b"200\r\n");
        request.extend_from_slice(&[b' '; 0x200]);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    chunked.write_all(&request).await.unwrap();
    let text = read_reply(&mut chunked).await;
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");

    let metrics = client.get("/metrics").await.body;
    assert!(
        metrics.contains("kafkalint_webhook_requests_total{result=\"too_large\"} 2"),
        "{metrics}"
    );
    server.stop().await;
}
