//! The `ogc-features` source kind: OGC API – Features Part 1. Items of one collection are read
//! from `{url}/collections/{collection}/items` with `limit`, optional `bbox` and `datetime`,
//! following `next` links page by page (see `paging`); each page is a GeoJSON FeatureCollection.

use serde::Deserialize;

use super::{geojson, paging, Batch, SourceError};
use crate::spec::{OgcOptions, SourceConfig};

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
pub fn items_url(source: &SourceConfig, ogc: &OgcOptions) -> Result<reqwest::Url, SourceError> {
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
    ogc: &OgcOptions,
) -> Result<Batch, SourceError> {
    paging::fetch_pages(client, source, items_url(source, ogc)?, |body| {
        let page = geojson::parse(body)?;
        let links: Page =
            serde_json::from_slice(super::strip_bom(body)).unwrap_or(Page { links: Vec::new() });
        let next = links
            .links
            .into_iter()
            .find(|l| l.rel == "next")
            .map(|l| l.href);
        Ok((page, next))
    })
    .await
}
