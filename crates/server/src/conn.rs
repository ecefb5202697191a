//! The accept loop: each connection admitted by the [`Gate`], its TLS handshake (if any) in its
//! own task with a deadline, then served by hyper with a header deadline that is also the
//! kept-alive connection's idle limit — so 1,000 clients sending half a request line are closed
//! after `[serve] header_timeout_s` and never hold up the accept loop or the others. Each
//! request carries the client's address ([`axum::extract::ConnectInfo`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower_http::add_extension::AddExtension;

use super::gate::{Gate, Gated};

/// How long a client may take over its TLS handshake.
const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(10);

/// What the loop holds every connection to.
pub(super) struct Limits {
    pub(super) gate: Arc<Gate>,
    pub(super) header_timeout: Duration,
}

/// Accepts until the listener fails for good; never returns otherwise.
pub(super) async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: Limits,
) -> std::io::Result<()> {
    let header_timeout = limits.header_timeout;
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
        let Some(ticket) = limits.gate.admit(peer.ip()) else {
            tracing::debug!("{peer}: over the connection limit, closed");
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let io = Gated {
            io: tcp,
            _ticket: ticket,
        };
        let app = app.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => serve_connection(io, peer, app, header_timeout).await,
                Some(acceptor) => {
                    match tokio::time::timeout(HANDSHAKE_DEADLINE, acceptor.accept(io)).await {
                        Ok(Ok(stream)) => serve_connection(stream, peer, app, header_timeout).await,
                        Ok(Err(e)) => tracing::debug!("TLS handshake with {peer} failed: {e}"),
                        Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
                    }
                }
            }
        });
    }
}

/// One connection, HTTP/1.1 (or HTTP/2 a client asks for), upgrades to WebSocket included.
async fn serve_connection<I>(io: I, peer: SocketAddr, app: Router, header_timeout: Duration)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = TowerToHyperService::new(AddExtension::new(app, ConnectInfo(peer)));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(header_timeout))
        .enable_connect_protocol();
    if let Err(e) = builder
        .serve_connection_with_upgrades(TokioIo::new(io), service)
        .await
    {
        tracing::debug!("connection with {peer}: {e}");
    }
}
