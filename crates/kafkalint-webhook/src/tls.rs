//! The serving certificate, swapped in place when its files change: cert-manager rewrites the
//! mounted Secret, and each new TLS handshake asks the store for the current key.

use std::sync::{Arc, RwLock};

use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;

/// A certificate chain and key, parsed from PEM.
pub fn certified_key(cert_pem: &[u8], key_pem: &[u8]) -> Result<CertifiedKey, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("certificate: {e}"))?;
    if chain.is_empty() {
        return Err("certificate: no PEM CERTIFICATE block".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| format!("key: {e}"))?;
    let signer =
        rustls::crypto::ring::sign::any_supported_type(&key).map_err(|e| format!("key: {e}"))?;
    let certified = CertifiedKey::new(chain, signer);
    certified
        .keys_match()
        .map_err(|e| format!("the key does not belong to the certificate: {e}"))?;
    Ok(certified)
}

/// The certificate new connections get, with the file contents it came from.
#[derive(Debug)]
pub struct CertStore {
    current: RwLock<Loaded>,
}

#[derive(Debug)]
struct Loaded {
    key: Arc<CertifiedKey>,
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
}

impl CertStore {
    pub fn new(cert_pem: Vec<u8>, key_pem: Vec<u8>) -> Result<CertStore, String> {
        let key = Arc::new(certified_key(&cert_pem, &key_pem)?);
        Ok(CertStore {
            current: RwLock::new(Loaded {
                key,
                cert_pem,
                key_pem,
            }),
        })
    }

    /// Take new file contents. `Ok(false)`: unchanged. A pair that does not parse or match
    /// leaves the old certificate serving (cert-manager writes the two files one after the
    /// other, so a half-written pair is normal for a moment).
    pub fn update(&self, cert_pem: Vec<u8>, key_pem: Vec<u8>) -> Result<bool, String> {
        {
            let cur = self
                .current
                .read()
                .map_err(|_| "certificate lock poisoned")?;
            if cur.cert_pem == cert_pem && cur.key_pem == key_pem {
                return Ok(false);
            }
        }
        let key = Arc::new(certified_key(&cert_pem, &key_pem)?);
        let mut cur = self
            .current
            .write()
            .map_err(|_| "certificate lock poisoned")?;
        *cur = Loaded {
            key,
            cert_pem,
            key_pem,
        };
        Ok(true)
    }

    fn key(&self) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| c.key.clone())
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.key()
    }
}

/// A rustls server config that asks `store` for the certificate at every handshake.
pub fn server_config(store: Arc<CertStore>) -> Result<rustls::ServerConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_cert_resolver(store);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
