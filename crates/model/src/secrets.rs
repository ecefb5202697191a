//! Secrets out of everything that leaves the engine. A configured URL may carry a credential —
//! a source's `?apikey=…`, a raster basemap's `?tk=…` (how Tianditu-style services take their
//! key), a `user:password@` — and every error about it quotes it. [`redact`] is the one function
//! that writes such text for anyone else (an API answer, an error body, a log line): each URL's
//! user information and every query value become `***`, its keys and the rest kept readable —
//! and every credential the engine read from the environment (`*_env`: a bearer token, a
//! password, a header's value; [`read_env`]) becomes `***` wherever it appears, as a subsystem
//! that echoes "invalid token abc123" in its error would otherwise have it shown.

use std::sync::RwLock;

/// Values read from the environment as credentials, redacted from every text.
static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Credentials shorter than this are not searched for: "1" would redact every digit.
const MIN_KNOWN_LEN: usize = 6;

/// The environment variable `name`, as a credential: from now on [`redact`] hides its value.
pub fn read_env(name: &str) -> Result<String, std::env::VarError> {
    let value = std::env::var(name)?;
    remember(&value);
    Ok(value)
}

fn remember(value: &str) {
    if value.len() < MIN_KNOWN_LEN {
        return;
    }
    let mut known = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    if !known.iter().any(|k| k == value) {
        known.push(value.to_string());
        // Longest first: a value containing another is hidden whole.
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }
}

fn hide_known(text: String) -> String {
    let known = KNOWN.read().unwrap_or_else(|e| e.into_inner());
    known.iter().fold(text, |text, secret| {
        if text.contains(secret.as_str()) {
            text.replace(secret.as_str(), "***")
        } else {
            text
        }
    })
}

/// Schemes whose URLs are redacted wherever they appear in a text.
const SCHEMES: [&str; 4] = ["http://", "https://", "rtsp://", "rtsps://"];

/// The text with every URL in it redacted: `http://u:p@host/x?key=abc&a=1` →
/// `http://***@host/x?key=***&a=***`.
pub fn redact(text: &str) -> String {
    hide_known(redact_urls(text))
}

fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, scheme)) = SCHEMES
        .iter()
        .filter_map(|s| find_ignore_case(rest, s).map(|i| (i, *s)))
        .min_by_key(|(i, _)| *i)
    {
        out.push_str(&rest[..at]);
        let url_start = at + scheme.len();
        let end = rest[url_start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | ')'))
            .map_or(rest.len(), |i| url_start + i);
        // A sentence's punctuation after the URL ("…?k=v: refused") is not part of it.
        let end = url_start
            + rest[url_start..end]
                .trim_end_matches(['.', ',', ';', ':'])
                .len();
        out.push_str(&rest[at..url_start]);
        out.push_str(&redact_after_scheme(&rest[url_start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.char_indices().map(|(i, _)| i).find(|&i| {
        haystack
            .get(i..i + needle.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(needle))
    })
}

/// `user:pass@host:port/path?k=v#f` with the user information and query values hidden.
fn redact_after_scheme(url: &str) -> String {
    let authority_end = url.find(['/', '?', '#']).unwrap_or(url.len());
    let (authority, tail) = url.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(i) => format!("***@{}", &authority[i + 1..]),
        None => authority.to_string(),
    };
    let (before_fragment, fragment) = match tail.find('#') {
        Some(i) => tail.split_at(i),
        None => (tail, ""),
    };
    let tail = match before_fragment.split_once('?') {
        Some((path, query)) => {
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) => format!("{key}=***"),
                    None if pair.is_empty() => String::new(),
                    None => "***".to_string(),
                })
                .collect();
            format!("{path}?{}", pairs.join("&"))
        }
        None => before_fragment.to_string(),
    };
    // A fragment can hold a token too (`#token=…`).
    let fragment = if fragment.len() > 1 { "#***" } else { fragment };
    format!("{host}{tail}{fragment}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_and_passwords_in_urls_never_leave() {
        assert_eq!(
            redact("cannot connect to http://gis.lan/features?apikey=s3cr3t&layer=a: refused"),
            "cannot connect to http://gis.lan/features?apikey=***&layer=***: refused"
        );
        assert_eq!(
            redact("the basemap service https://tiles.example/img_w/wmts?tk=abcdef123: HTTP 403"),
            "the basemap service https://tiles.example/img_w/wmts?tk=***: HTTP 403"
        );
        assert_eq!(
            redact("rtsp://admin:hunter2@10.0.0.9:554/Streaming/101 timed out"),
            "rtsp://***@10.0.0.9:554/Streaming/101 timed out"
        );
        assert_eq!(
            redact("HTTP 503 from the portal"),
            "HTTP 503 from the portal"
        );
        assert_eq!(redact("\"HTTP://x/y?token=1\""), "\"HTTP://x/y?token=***\"");
    }

    #[test]
    fn a_credential_from_the_environment_never_leaves() {
        std::env::set_var("CITYWALL_TEST_SECRET_TOKEN", "tok-7f3e9a2b");
        let token = read_env("CITYWALL_TEST_SECRET_TOKEN").unwrap();
        let said = redact(&format!(
            "401 from the source: invalid token {token} (Bearer {token})"
        ));
        assert!(!said.contains("tok-7f3e9a2b"), "{said}");
        assert!(said.contains("invalid token ***"), "{said}");
    }

    proptest! {
        #[test]
        fn any_text_is_redacted_without_panic_and_loses_its_query_values(
            prefix in "\\PC{0,40}",
            secret in "[a-zA-Z0-9]{8,24}",
            suffix in "\\PC{0,40}",
        ) {
            let text = format!("{prefix} https://h.example/p?key={secret} {suffix}");
            let out = redact(&text);
            let leaked = format!("key={secret}");
            prop_assert!(!out.contains(&leaked), "{}", out);
            let _ = redact(&prefix);
        }
    }
}
