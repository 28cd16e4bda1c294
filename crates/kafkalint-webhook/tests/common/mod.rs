//! A CA and serving certificates made here (rcgen), the real server on 127.0.0.1, and an
//! HTTPS client that verifies the server against the test CA.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use kafkalint_webhook::{Config, Server};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::TlsConnector;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kafkalint-webhook-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
    pub der: CertificateDer<'static>,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Ca { issuer }
    }

    pub fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A serving certificate for `localhost` and 127.0.0.1.
    pub fn leaf(&self, cn: &str) -> Leaf {
        let mut params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            der: cert.der().clone(),
        }
    }
}

pub struct Running {
    pub addr: SocketAddr,
    pub dir: PathBuf,
    pub ca: Ca,
    stop: Option<oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<Result<(), String>>,
}

impl Running {
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), &mut self.task)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
    }

    pub fn client(&self) -> Client {
        Client::new(self.addr, &[self.ca.der()])
    }
}

pub fn config(dir: &Path) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls_cert: dir.join("tls.crt"),
        tls_key: dir.join("tls.key"),
        policy: "default".into(),
        exempt_namespaces: vec!["sandbox".into()],
        warn_only: false,
        deny_existing: false,
        max_body_size: kafkalint_webhook::BODY_LIMIT,
        request_timeout: Duration::from_millis(1500),
        reload_interval: Duration::from_millis(100),
        shutdown_delay: Duration::ZERO,
        drain_timeout: Duration::from_secs(5),
        workers: None,
    }
}

/// Start the server with a new CA; `tune` adjusts the config.
pub async fn start(tag: &str, tune: impl FnOnce(&mut Config)) -> Running {
    let dir = temp_dir(tag);
    let ca = Ca::new("kafkalint test CA");
    let leaf = ca.leaf("kafkalint-webhook");
    std::fs::write(dir.join("tls.crt"), &leaf.cert_pem).unwrap();
    std::fs::write(dir.join("tls.key"), &leaf.key_pem).unwrap();
    let mut cfg = config(&dir);
    tune(&mut cfg);
    let server = Server::bind(cfg).await.unwrap();
    let addr = server.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async {
        let _ = rx.await;
    }));
    Running {
        addr,
        dir,
        ca,
        stop: Some(tx),
        task,
    }
}

pub struct Reply {
    pub status: u16,
    pub body: String,
    /// The leaf certificate the server presented.
    pub peer: Option<CertificateDer<'static>>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// HTTPS with certificate verification on, against the given roots only.
pub struct Client {
    addr: SocketAddr,
    connector: TlsConnector,
    name: String,
}

impl Client {
    pub fn new(addr: SocketAddr, roots: &[CertificateDer<'static>]) -> Client {
        let mut store = rustls::RootCertStore::empty();
        for r in roots {
            store.add(r.clone()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(store)
            .with_no_client_auth();
        Client {
            addr,
            connector: TlsConnector::from(Arc::new(config)),
            name: "localhost".into(),
        }
    }

    /// Verify the server as `name` (SNI and the certificate's DNS names).
    pub fn named(mut self, name: &str) -> Client {
        self.name = name.into();
        self
    }

    /// A verified TLS connection.
    pub async fn connect(&self) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
        let tcp = TcpStream::connect(self.addr).await?;
        let name = ServerName::try_from(self.name.clone()).unwrap();
        self.connector.connect(name, tcp).await
    }

    pub async fn request(&self, method: &str, path: &str, body: Vec<u8>) -> Reply {
        self.try_request(method, path, body).await.unwrap()
    }

    /// A request whose transport errors are returned: a server may close the connection
    /// before reading an oversized body.
    pub async fn try_request(
        &self,
        method: &str,
        path: &str,
        body: Vec<u8>,
    ) -> Result<Reply, String> {
        let tls = self
            .connect()
            .await
            .map_err(|e| format!("TLS handshake with verification: {e}"))?;
        let peer = tls
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|c| c.first().cloned());
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        let req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.name.as_str())
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| format!("{e:?}"))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok(Reply {
            status,
            body: String::from_utf8_lossy(&bytes).to_string(),
            peer,
        })
    }

    pub async fn post(&self, body: Vec<u8>) -> Reply {
        self.request("POST", "/validate", body).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request("GET", path, Vec::new()).await
    }
}
