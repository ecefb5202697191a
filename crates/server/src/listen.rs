//! Where browser mode listens and how: the address policy (loopback may run open; anything else
//! needs credentials and TLS) and the TLS set-up the accept loop ([`super::conn`]) hands each
//! connection to.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

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
