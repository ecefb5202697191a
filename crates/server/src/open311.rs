//! Open311 GeoReport v2 intake at `/open311/v2/`: the categories of `[incidents]` as services,
//! reports posted as a form (the spec's way) or JSON opening cases in the incident loop, and
//! their status read back. A reporting app authenticates with a bearer token or session of a
//! role the access matrix lets report (`intake`, `duty`).

use std::collections::HashMap;

use axum::extract::{FromRequest, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use crate::access::Principal;
use crate::api::{Api, ApiError, NewCase};
use crate::HttpError;
use citywall_engine::cases::Case;

/// `GET /open311/v2/services.json`
pub async fn services(State(api): State<Api>) -> Response {
    let list: Vec<serde_json::Value> = api
        .engine()
        .config()
        .incidents
        .categories
        .keys()
        .enumerate()
        .map(|(i, name)| {
            serde_json::json!({
                "service_code": format!("{:03}", i + 1),
                "service_name": name,
                "description": name,
                "metadata": false,
                "type": "realtime",
                "keywords": "",
                "group": "城市管理",
            })
        })
        .collect();
    Json(list).into_response()
}

fn service_name(api: &Api, code: &str) -> Option<String> {
    let index: usize = code.trim().parse().ok()?;
    api.engine()
        .config()
        .incidents
        .categories
        .keys()
        .nth(index.checked_sub(1)?)
        .cloned()
}

fn service_code(api: &Api, name: &str) -> String {
    api.engine()
        .config()
        .incidents
        .categories
        .get_index_of(name)
        .map(|i| format!("{:03}", i + 1))
        .unwrap_or_default()
}

/// `POST /open311/v2/requests.json`: `service_code`, `lat`, `long`, `description`,
/// `address_string`, `media_url`, `first_name`, `last_name` as a form, JSON, or (with the photo
/// itself as the file field `media`, the spec's way) multipart.
pub async fn post_request(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    request: axum::extract::Request,
) -> Result<Response, HttpError> {
    let kind = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (fields, photo) = if kind.starts_with("multipart/form-data") {
        multipart_fields(request).await?
    } else {
        let body = axum::body::Bytes::from_request(request, &())
            .await
            .map_err(|e| too_large_or_bad(e.status(), e.to_string()))?;
        (
            plain_fields(kind.starts_with("application/json"), &body)?,
            None,
        )
    };
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let category = service_name(&api, get("service_code")).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "`service_code` `{}` is not a service of services.json",
            get("service_code").chars().take(40).collect::<String>()
        ))
    })?;
    let number = |k: &str| {
        get(k).trim().parse::<f64>().map_err(|_| {
            ApiError::BadRequest(format!(
                "`{k}` `{}` is not a number",
                get(k).chars().take(40).collect::<String>()
            ))
        })
    };
    let description = get("description");
    let title: String = description.chars().take(40).collect();
    let reporter = format!("{}{}", get("last_name"), get("first_name"));
    let mut new = NewCase {
        category,
        title: if title.trim().is_empty() {
            "市民上报".into()
        } else {
            title
        },
        description: description.to_string(),
        address: get("address_string").to_string(),
        lon: number("long")?,
        lat: number("lat")?,
        urgent: false,
        reporter,
        media: fields
            .get("media_url")
            .map(|u| local_media(&api, u))
            .into_iter()
            .collect(),
    };
    // The whole report is checked before its photo is kept: a refused report stores nothing.
    api.check_case_fields(&new)?;
    if let Some(bytes) = photo {
        let stored = api.upload_media(&who, &bytes).await?;
        new.media = vec![stored.url];
    }
    let case = api.create_case(&who, new, "open311").await?;
    Ok(Json(serde_json::json!([{
        "service_request_id": case.id,
        "service_notice": "已受理，感谢上报",
        "account_id": null,
    }]))
    .into_response())
}

/// A `media_url` as the store knows it: one of this server's own photo links (absolute, as an
/// Open311 client was handed it, or relative) becomes `/api/v1/media/…`; anything else stays
/// as given, for the case's check to refuse.
fn local_media(api: &Api, url: &str) -> String {
    let url = url.trim();
    let own = api.engine().config().serve.public_url.as_deref();
    own.and_then(|base| url.strip_prefix(base.trim_end_matches('/')))
        .unwrap_or(url)
        .to_string()
}

fn too_large_or_bad(status: axum::http::StatusCode, why: String) -> HttpError {
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        HttpError(ApiError::TooLarge(format!(
            "the report is over {} MB",
            crate::api::MAX_PHOTO_BYTES / 1024 / 1024
        )))
    } else {
        HttpError(ApiError::BadRequest(format!(
            "the report could not be read: {why}"
        )))
    }
}

/// A report's fields from a form or a JSON object.
fn plain_fields(json: bool, body: &[u8]) -> Result<HashMap<String, String>, ApiError> {
    if !json {
        return serde_urlencoded::from_bytes(body)
            .map_err(|e| ApiError::BadRequest(format!("the body is not a form: {e}")));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not JSON: {e}")))?;
    Ok(value
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let text = v.as_str().map(str::to_string);
                    (k.clone(), text.unwrap_or_else(|| v.to_string()))
                })
                .collect()
        })
        .unwrap_or_default())
}

/// The most parts a multipart report has: its dozen fields and one photo.
const MAX_PARTS: usize = 32;
/// The most a text field of a report holds (the longest, `description`, is 4,000 characters).
const MAX_FIELD_BYTES: usize = 16 * 1024;

/// A multipart report's text fields and its `media` photo (one at most), read whole — counted
/// and bounded — before anything is kept.
async fn multipart_fields(
    request: axum::extract::Request,
) -> Result<(HashMap<String, String>, Option<axum::body::Bytes>), HttpError> {
    let mut form = axum::extract::Multipart::from_request(request, &())
        .await
        .map_err(|e| ApiError::BadRequest(format!("the body is not multipart: {e}")))?;
    let mut fields = HashMap::new();
    let mut photo = None;
    let mut parts = 0usize;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| too_large_or_bad(e.status(), e.body_text()))?
    {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(HttpError(ApiError::BadRequest(format!(
                "a report has at most {MAX_PARTS} parts"
            ))));
        }
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| too_large_or_bad(e.status(), e.body_text()))?;
        if name == "media" {
            if photo.is_some() {
                return Err(HttpError(ApiError::BadRequest(
                    "a report carries one photo (`media`)".into(),
                )));
            }
            photo = Some(bytes);
        } else if bytes.len() > MAX_FIELD_BYTES {
            return Err(HttpError(ApiError::BadRequest(format!(
                "`{}` is over {} KB",
                name.chars().take(40).collect::<String>(),
                MAX_FIELD_BYTES / 1024
            ))));
        } else {
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                ApiError::BadRequest(format!(
                    "`{}` is not UTF-8 text",
                    name.chars().take(40).collect::<String>()
                ))
            })?;
            fields.insert(name, text);
        }
    }
    Ok((fields, photo))
}

/// Where clients reach this server, from `[serve] public_url` — never from the request's
/// `Host`, which the client chose: a photo kept here is handed to an Open311 client as an
/// absolute URL when it is set, as the spec's `media_url` is, else as a relative one.
fn origin(api: &Api) -> Option<String> {
    api.engine()
        .config()
        .serve
        .public_url
        .as_deref()
        .map(|u| u.trim_end_matches('/').to_string())
}

fn request_json(api: &Api, case: &Case, origin: Option<&str>) -> serde_json::Value {
    let open = !case.state.is_final();
    let time = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.to_rfc3339())
            .unwrap_or_default()
    };
    serde_json::json!({
        "service_request_id": case.id,
        "status": if open { "open" } else { "closed" },
        "status_notes": case.state.zh(),
        "service_name": case.category,
        "service_code": service_code(api, &case.category),
        "description": case.description,
        "agency_responsible": case.department,
        "requested_datetime": time(case.created_at),
        "updated_datetime": time(case.updated_at),
        "address": case.address,
        "lat": case.lat,
        "long": case.lon,
        "media_url": case.media.first().map(|m| match origin {
            Some(origin) if m.starts_with('/') => format!("{origin}{m}"),
            _ => m.clone(),
        }),
    })
}

/// `GET /open311/v2/requests.json?status=open|closed`
pub async fn list_requests(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let origin = origin(&api);
    let cases = api.cases(&who, &[], 1000).await?;
    let status = params.get("status").map(String::as_str);
    let list: Vec<serde_json::Value> = cases
        .iter()
        .filter(|c| match status {
            Some("open") => !c.state.is_final(),
            Some("closed") => c.state.is_final(),
            _ => true,
        })
        .map(|c| request_json(&api, &wgs84(&api, c), origin.as_deref()))
        .collect();
    Ok(Json(list).into_response())
}

/// `GET /open311/v2/requests/{id}.json`
pub async fn one_request(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let id = id.strip_suffix(".json").unwrap_or(&id);
    let (case, _) = api.case(&who, id).await?;
    let origin = origin(&api);
    Ok(Json(serde_json::json!([request_json(
        &api,
        &wgs84(&api, &case),
        origin.as_deref()
    )]))
    .into_response())
}

/// The façade hands cases out in the map's datum; Open311 speaks WGS84.
fn wgs84(api: &Api, case: &Case) -> Case {
    let mut case = case.clone();
    (case.lon, case.lat) = api.engine().display_datum().back(case.lon, case.lat);
    case
}
