//! `kafkalint-webhook`: the Kubernetes validating admission webhook. An HTTPS server around
//! the engine's I/O-free admission core ([`kafkalint_engine::admission`]); it lives in its own
//! crate so the plain `kafkalint` CLI builds without tokio.
//!
//! Endpoints: `POST /validate` (AdmissionReview v1), `GET /healthz`, `GET /readyz`,
//! `GET /metrics` (Prometheus text).

pub mod metrics;
pub mod tls;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use kafkalint_engine::admission::{self, AdmissionOptions, Verdict};
use kafkalint_engine::LintOptions;
use kafkalint_policy::{Policy, PACKS};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;
use tower_http::timeout::TimeoutLayer;

pub use metrics::Metrics;
pub use tls::CertStore;

/// The most the API server sends in one AdmissionReview.
pub const BODY_LIMIT: usize = 3 * 1024 * 1024;
/// Bodies larger than this are judged off the async workers.
const BLOCKING_BODY: usize = 256 * 1024;
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The command line.
#[derive(clap::Parser, Clone, Debug)]
#[command(
    name = "kafkalint-webhook",
    version,
    about = "kafkalint's validating admission webhook: refuses unsafe Kafka objects at `kubectl apply`",
    after_help = "Endpoints: POST /validate (admission.k8s.io/v1 AdmissionReview), GET /healthz, GET /readyz, GET /metrics.\n\
Certificate, key and policy files are re-read when they change; new connections get the new certificate."
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// PEM certificate chain served (cert-manager's tls.crt).
    #[arg(long, value_name = "FILE")]
    pub tls_cert: PathBuf,
    /// PEM private key (cert-manager's tls.key).
    #[arg(long, value_name = "FILE")]
    pub tls_key: PathBuf,
    /// A pack (default, production, development) or a policy file, e.g. a mounted ConfigMap.
    #[arg(long, value_name = "PACK|FILE", default_value = "default")]
    pub policy: String,
    /// Admit objects in this namespace without linting (repeatable; `*` globs).
    #[arg(long = "exempt-namespace", value_name = "NS")]
    pub exempt_namespaces: Vec<String>,
    /// Never deny: error-level findings become warnings. Roll out with this first.
    #[arg(long)]
    pub warn_only: bool,
    /// On UPDATE, deny for errors the stored object already had too (by default only new
    /// errors deny, so objects from before the webhook can still be changed).
    #[arg(long)]
    pub deny_existing: bool,
    /// Largest request body accepted; larger ones get 413. The API server sends at most 3 MiB.
    #[arg(long, value_name = "BYTES", default_value_t = BODY_LIMIT)]
    pub max_body_size: usize,
    /// Time for one request, from the first byte of its body to the response.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// How often certificate, key and policy files are checked for changes.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub reload_interval: Duration,
    /// After SIGTERM: keep serving this long while /readyz fails, so endpoints drop the pod
    /// before it stops listening.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub shutdown_delay: Duration,
    /// After that: the longest wait for requests in flight.
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = parse_duration)]
    pub drain_timeout: Duration,
    /// Threads serving requests [default: one per CPU, or TOKIO_WORKER_THREADS]. With the load
    /// generator on the same cores, a few more than the cores can serve more.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: Option<u16>,
}

/// `250ms`, `10s`, `2m`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("expected a duration such as 10s or 250ms, got {s:?}"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("unknown unit {unit:?} in {s:?}: use ms, s or m")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{s:?}: {e}"))
}

/// A pack name, or a policy file and what it extends.
pub fn load_policy(spec: &str) -> Result<Policy, String> {
    if !Path::new(spec).exists() {
        if let Some(p) = Policy::pack(spec) {
            return Ok(p);
        }
        let packs: Vec<&str> = PACKS.iter().map(|p| p.0).collect();
        return Err(format!(
            "--policy {spec}: no such file, and not a pack ({})",
            packs.join(", ")
        ));
    }
    let text = std::fs::read_to_string(spec).map_err(|e| format!("policy {spec}: {e}"))?;
    let mut read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
    Policy::resolve(&text, spec, &mut read).map_err(|e| format!("policy {spec}: {e}"))
}

/// What the handlers share.
pub struct AppState {
    options: RwLock<Arc<AdmissionOptions>>,
    pub metrics: Metrics,
    ready: AtomicBool,
}

impl AppState {
    fn options(&self) -> Arc<AdmissionOptions> {
        match self.options.read() {
            Ok(o) => o.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

fn admission_options(config: &Config, policy: Policy) -> AdmissionOptions {
    AdmissionOptions {
        lint: LintOptions {
            policy,
            ..LintOptions::default()
        },
        exempt_namespaces: config.exempt_namespaces.clone(),
        warn_only: config.warn_only,
        deny_existing: config.deny_existing,
    }
}

/// The routes, without TLS: what the server runs for each request.
pub fn router(state: Arc<AppState>, request_timeout: Duration, max_body_size: usize) -> Router {
    Router::new()
        .route(
            "/validate",
            post(move |state, request| validate(state, request, max_body_size)),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .with_state(state)
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.ready.load(Ordering::Relaxed) {
        "ok\n".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response()
    }
}

async fn metrics_text(State(state): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

async fn validate(
    State(state): State<Arc<AppState>>,
    request: Request,
    max_body_size: usize,
) -> Response {
    let start = Instant::now();
    let body = match read_body(request, max_body_size).await {
        Ok(b) => b,
        Err(status) => {
            let result = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "too_large"
            } else {
                "invalid"
            };
            state.metrics.result(result);
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!(
                    "request body is larger than the limit of {max_body_size} bytes (the API server sends at most 3 MiB)\n"
                )
            } else {
                "the request body could not be read\n".to_string()
            };
            return (status, message).into_response();
        }
    };
    let options = state.options();
    let result = if body.len() > BLOCKING_BODY {
        match tokio::task::spawn_blocking(move || admission::review(&body, &options)).await {
            Ok(r) => r,
            Err(e) => {
                state.metrics.result("error");
                eprintln!("kafkalint-webhook: review failed: {e}");
                return (StatusCode::INTERNAL_SERVER_ERROR, "review failed\n").into_response();
            }
        }
    } else {
        admission::review(&body, &options)
    };
    let response = match result {
        Ok(review) => {
            state.metrics.review(review.verdict, &review.findings);
            if review.verdict == Verdict::Denied {
                log_denial(&review);
            }
            (
                [(header::CONTENT_TYPE, "application/json")],
                review.to_json(),
            )
                .into_response()
        }
        Err(e) => {
            state.metrics.result("invalid");
            (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response()
        }
    };
    state.metrics.latency(start.elapsed());
    response
}

/// The body, up to `limit` bytes. A body whose Content-Length is over the limit is read up to
/// the limit and dropped as it arrives, then refused: it costs no buffer, and the client, which
/// is still writing, is far more likely to see the 413 than a reset connection.
async fn read_body(request: Request, limit: usize) -> Result<Bytes, StatusCode> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        let mut body = request.into_body();
        let mut seen = 0;
        while seen <= limit {
            match body.frame().await {
                Some(Ok(frame)) => seen += frame.data_ref().map_or(0, |d| d.len()),
                _ => break,
            }
        }
        return Err(StatusCode::PAYLOAD_TOO_LARGE);
    }
    axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|e| {
            if is_length_limit(&e) {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            }
        })
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// One JSON line per denial on stderr: who was refused and for what, for the audit trail.
fn log_denial(review: &admission::Review) {
    let codes: Vec<&str> = review
        .findings
        .iter()
        .filter(|f| f.severity == kafkalint_policy::Severity::Error && !f.existing)
        .map(|f| f.code.as_str())
        .collect();
    let mut line =
        serde_json::json!({"event": "denied", "uid": review.uid, "rules": codes}).to_string();
    line.push('\n');
    // One write per line: stderr is unbuffered, and formatting straight into it costs a
    // system call per fragment, which showed as a fifth of the server's time under load.
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
}

/// A bound server, not yet serving.
pub struct Server {
    config: Config,
    listener: TcpListener,
    certs: Arc<CertStore>,
    state: Arc<AppState>,
}

impl Server {
    /// Read the certificate, key and policy, and bind the address (port 0 picks one).
    pub async fn bind(config: Config) -> Result<Server, String> {
        let (cert_pem, key_pem) = read_pair(&config.tls_cert, &config.tls_key)?;
        let certs = Arc::new(CertStore::new(cert_pem, key_pem).map_err(|e| {
            format!(
                "{} / {}: {e}",
                config.tls_cert.display(),
                config.tls_key.display()
            )
        })?);
        let policy = load_policy(&config.policy)?;
        let state = Arc::new(AppState {
            options: RwLock::new(Arc::new(admission_options(&config, policy))),
            metrics: Metrics::default(),
            ready: AtomicBool::new(true),
        });
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| format!("--listen {}: {e}", config.listen))?;
        Ok(Server {
            config,
            listener,
            certs,
            state,
        })
    }

    pub fn local_addr(&self) -> Result<SocketAddr, String> {
        self.listener.local_addr().map_err(|e| e.to_string())
    }

    pub fn state(&self) -> Arc<AppState> {
        self.state.clone()
    }

    /// Serve until `shutdown` completes; then fail /readyz for `--shutdown-delay`, stop
    /// accepting, and let requests in flight finish (up to `--drain-timeout`).
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) -> Result<(), String> {
        let Server {
            config,
            listener,
            certs,
            state,
        } = self;
        let acceptor = TlsAcceptor::from(Arc::new(tls::server_config(certs.clone())?));
        let app = router(state.clone(), config.request_timeout, config.max_body_size);
        let (stop_tx, stop_rx) = watch::channel(false);
        // Each connection holds a sender; `recv` returns None once all of them are gone.
        let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
        let reloader = tokio::spawn(reload_loop(config.clone(), certs, state.clone()));

        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(config.request_timeout);
        builder.http2().timer(TokioTimer::new());
        let builder = Arc::new(builder);

        let mut shutdown = std::pin::pin!(shutdown);
        let mut draining = std::pin::pin!(async {
            (&mut shutdown).await;
            state.ready.store(false, Ordering::Relaxed);
            eprintln!(
                "kafkalint-webhook: shutting down: /readyz fails now, listening stops in {:?}",
                config.shutdown_delay
            );
            tokio::time::sleep(config.shutdown_delay).await;
        });
        loop {
            let (tcp, _) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        eprintln!("kafkalint-webhook: accept: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ = &mut draining => break,
            };
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            let service = TowerToHyperService::new(app.clone());
            let builder = builder.clone();
            let mut stop = stop_rx.clone();
            let alive = alive_tx.clone();
            tokio::spawn(async move {
                let _alive = alive;
                let handshake = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(tcp));
                let tls = tokio::select! {
                    r = handshake => match r {
                        Ok(Ok(s)) => s,
                        _ => return,
                    },
                    _ = stop.changed() => return,
                };
                let conn = builder.serve_connection(TokioIo::new(tls), service);
                let mut conn = std::pin::pin!(conn);
                tokio::select! {
                    _ = conn.as_mut() => {}
                    _ = stop.changed() => {
                        conn.as_mut().graceful_shutdown();
                        let _ = conn.await;
                    }
                }
            });
        }
        drop(listener);
        let _ = stop_tx.send(true);
        drop(alive_tx);
        if tokio::time::timeout(config.drain_timeout, alive_rx.recv())
            .await
            .is_err()
        {
            eprintln!(
                "kafkalint-webhook: connections still open after {:?}; exiting",
                config.drain_timeout
            );
        }
        reloader.abort();
        Ok(())
    }
}

fn read_pair(cert: &Path, key: &Path) -> Result<(Vec<u8>, Vec<u8>), String> {
    let c = std::fs::read(cert).map_err(|e| format!("--tls-cert {}: {e}", cert.display()))?;
    let k = std::fs::read(key).map_err(|e| format!("--tls-key {}: {e}", key.display()))?;
    Ok((c, k))
}

/// Poll the certificate, key and policy files. Contents are compared, not mtimes: Secret and
/// ConfigMap volumes swap a symlink, and tests rewrite files within one mtime tick.
async fn reload_loop(config: Config, certs: Arc<CertStore>, state: Arc<AppState>) {
    let policy_file = Path::new(&config.policy)
        .exists()
        .then(|| PathBuf::from(&config.policy));
    let mut policy_text = policy_file.as_ref().and_then(|p| std::fs::read(p).ok());
    let mut tick = tokio::time::interval(config.reload_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match read_pair(&config.tls_cert, &config.tls_key).and_then(|(c, k)| certs.update(c, k)) {
            Ok(true) => {
                state.metrics.tls_reloads.fetch_add(1, Ordering::Relaxed);
                eprintln!(
                    "kafkalint-webhook: serving the new certificate from {}",
                    config.tls_cert.display()
                );
            }
            Ok(false) => {}
            Err(e) => {
                state.metrics.reload_errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("kafkalint-webhook: keeping the old certificate: {e}");
            }
        }
        let Some(path) = &policy_file else { continue };
        let Ok(text) = std::fs::read(path) else {
            continue;
        };
        if policy_text.as_ref() == Some(&text) {
            continue;
        }
        policy_text = Some(text);
        match load_policy(&config.policy) {
            Ok(policy) => {
                if let Ok(mut o) = state.options.write() {
                    *o = Arc::new(admission_options(&config, policy));
                }
                state.metrics.policy_reloads.fetch_add(1, Ordering::Relaxed);
                eprintln!("kafkalint-webhook: policy reloaded from {}", path.display());
            }
            Err(e) => {
                state.metrics.reload_errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("kafkalint-webhook: keeping the old policy: {e}");
            }
        }
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
