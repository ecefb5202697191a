//! What the benchmarks share: a deterministic random stream (xorshift) and a loopback
//! subsystem serving one payload, so each bench's figures come from the same kind of input.

#![allow(dead_code)] // each bench uses what it needs

/// A deterministic stream: the same seed gives the same points in every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal deviate (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-12), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Serves `body` at `http://{addr}{path}` on loopback. Shared, not copied per request: the
/// subsystem's own cost is not the pipeline's.
pub async fn serve(path: &str, body: String) -> anyhow::Result<std::net::SocketAddr> {
    let payload = axum::body::Bytes::from(body);
    let app = axum::Router::new().route(
        path,
        axum::routing::get(move || {
            let p = payload.clone();
            async move { p }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}
