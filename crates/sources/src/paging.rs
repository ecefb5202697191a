//! Paged collections (OGC API – Features `next` links, SensorThings `@iot.nextLink`): fetch page
//! after page into one batch, with record indexes counted across pages, ids deduplicated across
//! pages, and a stop on an empty page, a link loop or an absurd page count.

use std::collections::HashSet;

use super::{http, Batch, Rejected, SourceError};
use crate::spec::SourceConfig;

/// More pages than this in one poll is a server that never ends its chain of links.
const MAX_PAGES: usize = 10_000;

/// Every page from `first` on; `parse_page` turns one page's body into its batch and the link to
/// the next page, if any.
pub async fn fetch_pages(
    client: &reqwest::Client,
    source: &SourceConfig,
    first: reqwest::Url,
    parse_page: impl Fn(&[u8]) -> Result<(Batch, Option<String>), SourceError>,
) -> Result<Batch, SourceError> {
    let mut url = first;
    let mut batch = Batch::default();
    let mut seen = HashSet::new();
    let mut visited = HashSet::new();
    for _ in 0..MAX_PAGES {
        if !visited.insert(url.to_string()) {
            return Err(SourceError::WrongShape(format!(
                "the next-page links loop back to {url}"
            )));
        }
        let body = http::get(client, source, url.as_str()).await?;
        let (page, next) = parse_page(&body)?;
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
        match next {
            Some(link) if !empty => {
                url = url.join(&link).map_err(|e| {
                    SourceError::WrongShape(format!("bad next-page link `{link}`: {e}"))
                })?;
            }
            _ => return Ok(batch),
        }
    }
    Err(SourceError::WrongShape(format!(
        "more than {MAX_PAGES} pages"
    )))
}
