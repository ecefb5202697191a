//! HTTP for every polled kind: one GET with the source's credentials, conditional-GET
//! validators and incremental cursor, the body read chunk by chunk under the size cap, and
//! every failure turned into a [`SourceError`] a duty officer can read.

use crate::spec::{Auth, SourceConfig};

use super::SourceError;

/// What a source's task remembers between polls.
#[derive(Default)]
pub struct PollState {
    /// Validators of the last answer, for conditional GET.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The incremental cursor: the largest `cursor_field` value seen so far.
    pub cursor: Option<serde_json::Value>,
}

/// What one fetch brought back.
pub enum Fetched {
    Body(Vec<u8>),
    /// 304 Not Modified: nothing changed since the last answer.
    NotModified,
}

/// The source's URL, conditionally and incrementally.
pub async fn fetch(
    client: &reqwest::Client,
    source: &SourceConfig,
    state: &mut PollState,
) -> Result<Fetched, SourceError> {
    let mut request = client.get(&source.url);
    if let (Some(param), Some(cursor)) = (&source.since_param, &state.cursor) {
        let value = cursor
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| cursor.to_string());
        request = request.query(&[(param.as_str(), value)]);
    }
    if let Some(etag) = &state.etag {
        request = request.header(reqwest::header::IF_NONE_MATCH, etag);
    }
    if let Some(modified) = &state.last_modified {
        request = request.header(reqwest::header::IF_MODIFIED_SINCE, modified);
    }
    let response = send(request, source, &source.url).await?;
    if response.status() == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let (etag, last_modified) = (
        header(reqwest::header::ETAG),
        header(reqwest::header::LAST_MODIFIED),
    );
    let body = read_capped(response, source, &source.url).await?;
    // Remember the validators only once the whole answer arrived.
    state.etag = etag;
    state.last_modified = last_modified;
    Ok(Fetched::Body(body))
}

/// A plain GET of `url` with the source's credentials, timeout and size cap.
pub async fn get(
    client: &reqwest::Client,
    source: &SourceConfig,
    url: &str,
) -> Result<Vec<u8>, SourceError> {
    let response = send(client.get(url), source, url).await?;
    read_capped(response, source, url).await
}

/// Sends with credentials; a non-success status (other than 304) is an error naming it.
async fn send(
    request: reqwest::RequestBuilder,
    source: &SourceConfig,
    url: &str,
) -> Result<reqwest::Response, SourceError> {
    let response = authorize(request, source)?
        .send()
        .await
        .map_err(|e| classify(e, source, url))?;
    let status = response.status();
    if !status.is_success() && status != reqwest::StatusCode::NOT_MODIFIED {
        return Err(SourceError::Status {
            url: url.to_string(),
            status: status.to_string(),
        });
    }
    Ok(response)
}

/// Reads the body chunk by chunk so an oversized or decompression-bomb answer stops at the cap.
async fn read_capped(
    mut response: reqwest::Response,
    source: &SourceConfig,
    url: &str,
) -> Result<Vec<u8>, SourceError> {
    let cap = source.max_body_bytes;
    if response.content_length().is_some_and(|n| n > cap) {
        return Err(SourceError::TooLarge {
            url: url.to_string(),
            cap,
        });
    }
    // A declared length (never past the cap) sizes the buffer once: a 150 MB answer is then not
    // copied through every doubling of a growing one.
    let declared = response.content_length().unwrap_or(0).min(cap);
    let mut body = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| classify(e, source, url))?
    {
        if body.len() as u64 + chunk.len() as u64 > cap {
            return Err(SourceError::TooLarge {
                url: url.to_string(),
                cap,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Adds the source's credentials, read from the environment now; the value never leaves this
/// request (reqwest marks these headers sensitive so they are not logged either).
fn authorize(
    request: reqwest::RequestBuilder,
    source: &SourceConfig,
) -> Result<reqwest::RequestBuilder, SourceError> {
    let var = |name: &str| {
        crate::secrets::read_env(name).map_err(|_| SourceError::Credentials {
            variable: name.to_string(),
        })
    };
    Ok(match &source.auth {
        None => request,
        Some(Auth::Bearer { token_env }) => request.bearer_auth(var(token_env)?),
        Some(Auth::Basic {
            user_env,
            password_env,
        }) => request.basic_auth(var(user_env)?, Some(var(password_env)?)),
        Some(Auth::Header { name, value_env }) => {
            let mut value =
                reqwest::header::HeaderValue::from_str(&var(value_env)?).map_err(|_| {
                    SourceError::Credentials {
                        variable: value_env.clone(),
                    }
                })?;
            value.set_sensitive(true);
            request.header(name.as_str(), value)
        }
    })
}

fn classify(e: reqwest::Error, source: &SourceConfig, url: &str) -> SourceError {
    let url = url.to_string();
    let reason = root_cause(&e);
    if e.is_timeout() {
        SourceError::Timeout {
            url,
            seconds: source.timeout.as_secs_f64(),
        }
    } else if e.is_connect() {
        SourceError::Connect { url, reason }
    } else if e.is_redirect() || reason.contains("redirect") {
        // reqwest does not always flag a redirect loop as a redirect error; its message does.
        SourceError::Redirect { url, reason }
    } else {
        SourceError::Body { url, reason }
    }
}

/// The innermost error message: "Connection refused (os error 111)" rather than reqwest's
/// "error sending request".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}
