//! Where browser mode listens and how: the address policy (loopback may run open; anything else
//! needs credentials and TLS) and the HTTPS listener. Handshakes run in their own tasks with a
//! deadline, so a client that opens a connection and says nothing cannot hold up the others.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// How long a client may take over its TLS handshake.
const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("`{address}` reaches beyond this machine: set `[serve] tls_cert` and `tls_key`")]
    PlainOnNetwork { address: SocketAddr },
    #[error(
        "`{address}` reaches beyond this machine and nobody could sign in: add an account \
         (`citywall user add NAME --role duty`) or set a token (`CITYWALL_TOKEN`, `--token-file`)"
    )]
    NobodyCanSignIn { address: SocketAddr },
    #[error("the TLS certificate {path}: {reason}")]
    Certificate { path: String, reason: String },
    #[error("the TLS private key {path}: {reason}")]
    Key { path: String, reason: String },
}

/// Who may reach the server decides whether it may run without credentials: on loopback, open
/// when no token is set; on any other address never, and only with TLS and someone able to sign
/// in. Answers whether the wall runs open.
pub fn admission(
    address: SocketAddr,
    tls: bool,
    token: bool,
    accounts: usize,
) -> Result<bool, ListenError> {
    if address.ip().is_loopback() {
        return Ok(!token);
    }
    if !tls {
        return Err(ListenError::PlainOnNetwork { address });
    }
    if !token && accounts == 0 {
        return Err(ListenError::NobodyCanSignIn { address });
    }
    Ok(false)
}

/// The server's TLS set-up from a PEM certificate chain and key.
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, ListenError> {
    let cert_err = |reason: String| ListenError::Certificate {
        path: cert.display().to_string(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| cert_err(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_err(e.to_string()))?;
    if chain.is_empty() {
        return Err(cert_err("holds no PEM certificate".into()));
    }
    let key_err = |reason: String| ListenError::Key {
        path: key.display().to_string(),
        reason,
    };
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => {
            key_err("holds no PEM private key (PKCS#8, PKCS#1 or SEC1)".into())
        }
        e => key_err(e.to_string()),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| cert_err(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| key_err(format!("does not fit the certificate: {e}")))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// An HTTPS listener for `axum::serve`: TCP accepted here, handshakes finished in their own
/// tasks, finished streams handed over in arrival order.
pub struct TlsListener {
    local: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
}

impl TlsListener {
    pub fn new(listener: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let (tcp, peer) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, as axum's own loop does.
                        tracing::warn!("accepting a connection: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                if tx.is_closed() {
                    return;
                }
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_DEADLINE, acceptor.accept(tcp)).await {
                        Ok(Ok(stream)) => {
                            let _ = tx.send((stream, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!("TLS handshake with {peer} failed: {e}"),
                        Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { local, ready })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accept loop only ends when this listener is gone; wait for shutdown.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(address: &str) -> SocketAddr {
        address.parse().unwrap()
    }

    #[test]
    fn loopback_runs_open_only_without_a_token() {
        assert!(admission(at("127.0.0.1:8765"), false, false, 0).unwrap());
        assert!(!admission(at("127.0.0.1:8765"), false, true, 0).unwrap());
        assert!(admission(at("[::1]:8765"), false, false, 3).unwrap());
    }

    #[test]
    fn a_network_address_needs_tls_and_someone_who_can_sign_in() {
        assert!(matches!(
            admission(at("0.0.0.0:8443"), false, true, 1),
            Err(ListenError::PlainOnNetwork { .. })
        ));
        assert!(matches!(
            admission(at("10.1.2.3:8443"), true, false, 0),
            Err(ListenError::NobodyCanSignIn { .. })
        ));
        // Never open there, with a token or with accounts.
        assert!(!admission(at("0.0.0.0:8443"), true, true, 0).unwrap());
        assert!(!admission(at("0.0.0.0:8443"), true, false, 2).unwrap());
    }

    #[test]
    fn a_missing_or_wrong_certificate_is_named() {
        let dir = std::env::temp_dir().join(format!("cw-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cert = dir.join("cert.pem");
        let key = dir.join("key.pem");
        let e = tls_acceptor(&cert, &key).err().unwrap().to_string();
        assert!(e.contains("cert.pem"), "{e}");
        std::fs::write(&cert, "not a certificate").unwrap();
        let e = tls_acceptor(&cert, &key).err().unwrap().to_string();
        assert!(e.contains("holds no PEM certificate"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
