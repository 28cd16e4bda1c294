//! A bounded soak of the real `kafkalint-webhook` binary over HTTPS: mixed admissions, denials,
//! malformed bodies, wrong API versions, oversized bodies and health probes from several
//! clients for `KAFKALINT_SOAK_SECONDS` (60 by default). Every reply must be the expected one
//! (so no 5xx), the process must stay up, and the median resident memory of the last third
//! after the warm-up may exceed the warm-up's peak by less than 10% and the first third's
//! median by less than 5%.

mod common;

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Ca, Client};
use serde::Deserialize;

/// The server process, killed if the test fails midway.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

fn median(samples: &[u64]) -> u64 {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    sorted[sorted.len() / 2]
}

/// Every document of a seed example as JSON.
fn documents(path: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(common::repo().join(path)).unwrap();
    serde_yaml::Deserializer::from_str(&text)
        .filter_map(|doc| serde_json::Value::deserialize(doc).ok())
        .filter(|v| v.get("kind").is_some())
        .collect()
}

fn review(object: &serde_json::Value, operation: &str, uid: usize) -> Vec<u8> {
    let api_version = object["apiVersion"].as_str().unwrap_or("v1");
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let kind = object["kind"].as_str().unwrap_or_default();
    serde_json::to_vec(&serde_json::json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": format!("soak-{uid}"),
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": format!("{}s", kind.to_lowercase())},
            "name": object["metadata"]["name"],
            "namespace": object["metadata"]["namespace"].as_str().unwrap_or("kafka"),
            "operation": operation,
            "userInfo": {"username": "soak"},
            "object": if operation == "DELETE" { serde_json::Value::Null } else { object.clone() },
            "oldObject": if operation == "CREATE" { serde_json::Value::Null } else { object.clone() },
            "dryRun": uid.is_multiple_of(7),
        }
    }))
    .unwrap()
}

/// What to send and what must come back.
struct Case {
    method: &'static str,
    path: &'static str,
    body: Vec<u8>,
    status: u16,
}

fn cases() -> Vec<Case> {
    let mut objects = Vec::new();
    for path in [
        "examples/ticketmaster/kafka.yaml",
        "examples/strimzi/kafka.yaml",
        "examples/forex-stg/before/statefulset.yml",
        "examples/forex-stg/after/statefulset.yml",
        "examples/keda-consumer/order-consumer.yaml",
        "examples/shared-group/coupon-consumer.yaml",
    ] {
        objects.extend(documents(path));
    }
    assert!(objects.len() >= 6, "seed examples: {}", objects.len());
    let mut cases = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        for op in ["CREATE", "UPDATE", "DELETE"] {
            cases.push(Case {
                method: "POST",
                path: "/validate",
                body: review(o, op, i),
                status: 200,
            });
        }
    }
    let mut wrong_version: serde_json::Value =
        serde_json::from_slice(&review(&objects[0], "CREATE", 0)).unwrap();
    wrong_version["apiVersion"] = "admission.k8s.io/v1beta1".into();
    cases.extend([
        Case {
            method: "POST",
            path: "/validate",
            body: serde_json::to_vec(&wrong_version).unwrap(),
            status: 400,
        },
        Case {
            method: "POST",
            path: "/validate",
            body: b"{\"apiVersion\": \"admission.k8s.io/v1\", \"request\": [".to_vec(),
            status: 400,
        },
        Case {
            method: "POST",
            path: "/validate",
            body: (0..=255u8).cycle().take(64 * 1024).collect(),
            status: 400,
        },
        Case {
            method: "POST",
            path: "/validate",
            body: vec![b' '; 4 << 20],
            status: 413,
        },
        Case {
            method: "GET",
            path: "/healthz",
            body: Vec::new(),
            status: 200,
        },
        Case {
            method: "GET",
            path: "/metrics",
            body: Vec::new(),
            status: 200,
        },
        Case {
            method: "GET",
            path: "/no-such-path",
            body: Vec::new(),
            status: 404,
        },
    ]);
    cases
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_mixed_requests_no_5xx_and_flat_memory() {
    let seconds: u64 = std::env::var("KAFKALINT_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let warm_up = Duration::from_secs((seconds / 6).max(2));
    let total = Duration::from_secs(seconds);

    let dir = common::temp_dir("soak");
    let ca = Ca::new("kafkalint soak CA");
    let leaf = ca.leaf("kafkalint-webhook");
    std::fs::write(dir.join("tls.crt"), &leaf.cert_pem).unwrap();
    std::fs::write(dir.join("tls.key"), &leaf.key_pem).unwrap();
    let addr: SocketAddr = {
        let probe = TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_kafkalint-webhook"))
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--tls-cert")
            .arg(dir.join("tls.crt"))
            .arg("--tls-key")
            .arg(dir.join("tls.key"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = server.0.id();
    let client = Arc::new(Client::new(addr, &[ca.der()]));
    let ready = Instant::now();
    loop {
        if client.connect().await.is_ok() {
            break;
        }
        assert!(
            ready.elapsed() < Duration::from_secs(10),
            "the server never listened"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let cases = Arc::new(cases());
    let sent = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..8usize {
        let (client, cases, sent) = (client.clone(), cases.clone(), sent.clone());
        workers.push(tokio::spawn(async move {
            let mut i = worker;
            let mut wrong = Vec::new();
            while start.elapsed() < total {
                let case = &cases[i % cases.len()];
                i += 7;
                let reply = client
                    .try_request(case.method, case.path, case.body.clone())
                    .await;
                sent.fetch_add(1, Ordering::Relaxed);
                match reply {
                    Ok(reply) if reply.status == case.status => {}
                    Ok(reply) => wrong.push(format!(
                        "{} {} -> {} (expected {}): {}",
                        case.method,
                        case.path,
                        reply.status,
                        case.status,
                        reply.body.chars().take(200).collect::<String>()
                    )),
                    // Refusing an oversized body may close the connection before the client
                    // has written it all.
                    Err(e) if case.status == 413 && e.contains("BrokenPipe") => {}
                    Err(e) => wrong.push(format!("{} {}: {e}", case.method, case.path)),
                }
            }
            wrong
        }));
    }

    // RSS swings with the mix in flight, and the peak of a longer window is higher by chance
    // alone, so a leak is judged by medians: the last third after the warm-up against the
    // first third. A leak climbs between them; a swing does not move a median.
    let mut warm_up_peak = 0;
    let mut samples = Vec::new();
    while start.elapsed() < total {
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(
            server.0.try_wait().unwrap().is_none(),
            "the server exited during the soak"
        );
        let rss = rss_kib(pid);
        if start.elapsed() < warm_up {
            warm_up_peak = warm_up_peak.max(rss);
        } else {
            samples.push(rss);
        }
    }
    let mut wrong = Vec::new();
    for w in workers {
        wrong.extend(w.await.unwrap());
    }
    let end = rss_kib(pid);
    let requests = sent.load(Ordering::Relaxed);
    let third = samples.len() / 3;
    assert!(third >= 2, "too few RSS samples: {}", samples.len());
    let early = median(&samples[..third]);
    let late = median(&samples[samples.len() - third..]);
    let peak = samples.iter().copied().max().unwrap_or_default();
    eprintln!(
        "soak: {requests} requests in {seconds} s; RSS peak in warm-up {warm_up_peak} KiB; after it, median {early} KiB early, {late} KiB late, peak {peak} KiB; end {end} KiB"
    );
    assert!(server.0.try_wait().unwrap().is_none(), "the server exited");
    assert!(
        wrong.is_empty(),
        "{} wrong replies: {:#?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );
    assert!(
        requests as u64 >= seconds * 20,
        "only {requests} requests in {seconds} s"
    );
    assert!(
        (late as f64) < warm_up_peak as f64 * 1.10,
        "RSS grew: median {late} KiB late, over 10% above the warm-up's peak of {warm_up_peak} KiB"
    );
    assert!(
        (late as f64) < early as f64 * 1.05,
        "RSS climbed: median {early} KiB early after the warm-up, {late} KiB late"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
