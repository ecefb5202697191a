//! The `ogc-features` source kind: OGC API – Features Part 1. Items of one collection are read
//! from `{url}/collections/{collection}/items` with `limit`, optional `bbox` and `datetime`,
//! following `next` links page by page; each page is a GeoJSON FeatureCollection.

use std::collections::HashSet;

use serde::Deserialize;

use super::{geojson, http, Batch, Rejected, SourceError};
use crate::config::SourceConfig;

/// More pages than this in one poll is a server that never ends its `next` chain.
const MAX_PAGES: usize = 10_000;

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    links: Vec<Link>,
}

#[derive(Deserialize)]
struct Link {
    rel: String,
    href: String,
}

/// The first page's URL for a source.
pub fn items_url(source: &SourceConfig) -> Result<reqwest::Url, SourceError> {
    let ogc = &source.ogc;
    let base = source.url.trim_end_matches('/');
    let mut url = reqwest::Url::parse(&format!("{base}/collections/{}/items", ogc.collection))
        .map_err(|e| SourceError::WrongShape(format!("`{base}` is not a usable base URL: {e}")))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("f", "json");
        q.append_pair("limit", &ogc.limit.to_string());
        if let Some([w, s, e, n]) = ogc.bbox {
            q.append_pair("bbox", &format!("{w},{s},{e},{n}"));
        }
        if let Some(dt) = &ogc.datetime {
            q.append_pair("datetime", dt);
        }
    }
    Ok(url)
}

/// Every item of the collection, across all pages, as one batch.
pub async fn fetch_all(
    client: &reqwest::Client,
    source: &SourceConfig,
) -> Result<Batch, SourceError> {
    let mut url = items_url(source)?;
    let mut batch = Batch::default();
    let mut seen = HashSet::new();
    let mut visited = HashSet::new();
    for _ in 0..MAX_PAGES {
        if !visited.insert(url.to_string()) {
            return Err(SourceError::WrongShape(format!(
                "the `next` links loop back to {url}"
            )));
        }
        let body = http::get(client, source, url.as_str()).await?;
        let page = geojson::parse(&body)?;
        let offset = batch.records.len() + batch.rejected.len();
        let empty = page.records.is_empty() && page.rejected.is_empty();
        for r in page.rejected {
            batch.rejected.push(Rejected {
                index: offset + r.index,
                ..r
            });
        }
        for (i, record) in page.records.into_iter().enumerate() {
            if seen.insert(record.id.clone()) {
                batch.records.push(record);
            } else {
                batch.rejected.push(Rejected {
                    index: offset + i,
                    reason: format!(
                        "duplicate id `{}` across pages; the first one was kept",
                        record.id
                    ),
                    excerpt: record.id,
                });
            }
        }
        let links: Page = serde_json::from_slice(&body).unwrap_or(Page { links: Vec::new() });
        let next = links.links.into_iter().find(|l| l.rel == "next");
        match next {
            Some(link) if !empty => {
                url = url.join(&link.href).map_err(|e| {
                    SourceError::WrongShape(format!("bad `next` link `{}`: {e}", link.href))
                })?;
            }
            _ => return Ok(batch),
        }
    }
    Err(SourceError::WrongShape(format!(
        "more than {MAX_PAGES} pages"
    )))
}
