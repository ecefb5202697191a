//! THE table: every endpoint both transports carry — its name, route, the action it asks for,
//! its arguments, what it answers (as the UI's TypeScript names it) and the façade call that
//! answers it. Adding an endpoint is one entry here and its façade method.

use serde_json::value::RawValue;

use super::answers::{CaseDetail, Done, FeatureCollection, GeoFeature, RegionsCollection};
use super::answers::{Shaped, Written};
use super::param::{Instant, Param};
use super::spec::{Arg, Endpoint, Method};
use crate::access::Principal;
use crate::api::{Api, ApiError, FeatureQuery, HistoryPoint, Meta, NewCase, RegionCounts};
use crate::api::{CentreStatus, LayerInfo, ReplaySpan, StepInput, StepTaken, VideoLayout};
use crate::cases::{Case, CaseState, CaseSummary};
use crate::feed::OnWallCamera;
use crate::health::SourceStatus;
use crate::kpi::{Sample, Summary};
use crate::rules::Warning;
use crate::search::Hit;
use crate::store::audit::AuditRecord;
use crate::store::RejectedRow;

/// Writes the table's three readings: the argument structs (`args::<endpoint>`), the
/// [`Endpoint`] rows, and `dispatch`, which decodes an endpoint's arguments and calls it.
macro_rules! endpoints {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident: $method:ident $path:literal needs $action:literal,
        ($($(#[$body:ident])? $arg:ident: $ty:ty),* $(,)?) -> $returns:ty,
        |$api:ident, $who:ident, $a:ident| $call:expr;
    )*) => {
        /// Each endpoint's arguments, as both transports send them (a JSON object).
        #[allow(non_camel_case_types)]
        pub mod args {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[derive(Debug, serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                pub struct $name {
                    $(pub $arg: $ty,)*
                }
            )*
        }

        pub(super) fn table() -> Vec<Endpoint> {
            vec![$(Endpoint {
                name: stringify!($name),
                method: Method::$method,
                path: $path,
                action: $action,
                args: vec![$(Arg {
                    name: stringify!($arg),
                    shape: <$ty as Param>::shape(),
                    schema: <$ty as Param>::schema,
                    optional: <$ty as Param>::optional(),
                    body: endpoints!(@body $($body)?),
                }),*],
                returns: |types| types.subschema_for::<$returns>(),
                doc: concat!($($doc, "\n"),*),
            }),*]
        }

        pub(super) async fn dispatch(
            api: &Api,
            who: &Principal,
            name: &str,
            args: serde_json::Value,
        ) -> Result<Box<RawValue>, ApiError> {
            match name {
                $(stringify!($name) => {
                    #[allow(unused_variables)]
                    let $a: args::$name = decode(stringify!($name), args)?;
                    #[allow(unused_variables)]
                    let ($api, $who) = (api, who);
                    let answer: Result<$returns, ApiError> = $call;
                    reply(answer?)
                })*
                other => Err(ApiError::NotFound(format!("no such endpoint: {other}"))),
            }
        }
    };
    (@body body) => { true };
    (@body) => { false };
}

endpoints! {
    /// The wall's configuration and the engine's state (seq, extent, panels, centre …).
    meta: Get "/api/v1/meta" needs "view",
        () -> Meta,
        |api, _who, _a| Ok(api.meta());
    layers: Get "/api/v1/layers" needs "view",
        () -> Vec<LayerInfo>,
        |api, _who, _a| Ok(api.layers());
    /// A layer's features in a viewport (`bbox`: west,south,east,north), clustered by `zoom`.
    features: Get "/api/v1/features" needs "view",
        (layer: String, bbox: Option<[f64; 4]>, zoom: Option<f64>) -> Written<FeatureCollection>,
        |api, _who, a| written(api.features_json(&FeatureQuery::new(&a.layer, a.bbox, a.zoom)?)?);
    search: Get "/api/v1/search" needs "view",
        (q: Option<String>) -> Vec<Hit>,
        |api, who, a| api.search_for(who, a.q.as_deref().unwrap_or(""));
    /// The headline numbers over the caller's area, or a centre's under it (`centre`).
    summary: Get "/api/v1/summary" needs "view",
        (centre: Option<String>) -> Summary,
        |api, who, a| {
            let viewer = api.viewing(who, a.centre.as_deref())?;
            Ok(api.summary_for(&viewer).await)
        };
    sources: Get "/api/v1/sources" needs "view",
        () -> Vec<SourceStatus>,
        |api, _who, _a| Ok(api.sources());
    /// A source's latest quarantined records, and why each was refused.
    rejected: Get "/api/v1/sources/{id}/rejected" needs "view",
        (id: String, limit: Option<u32>) -> Vec<RejectedRow>,
        |api, _who, a| api.rejected(&a.id, a.limit).await;
    /// A layer's counts per region of a level (`grid` without one).
    aggregate: Get "/api/v1/aggregate" needs "view",
        (layer: String, level: Option<String>, since: Option<Instant>) -> RegionCounts,
        |api, _who, a| api.aggregate(&a.layer, a.level.as_deref().unwrap_or("grid"), a.since.map(|s| s.0));
    regions: Get "/api/v1/regions" needs "view",
        (level: String) -> Shaped<RegionsCollection>,
        |api, _who, a| api.regions(&a.level).map(Shaped::from);
    /// Cameras best placed to see a point (`lon`, `lat`) or a feature (`layer`, `id`).
    cameras_nearest: Get "/api/v1/cameras/nearest" needs "view",
        (lon: Option<f64>, lat: Option<f64>, k: Option<usize>, layer: Option<String>, id: Option<String>) -> Shaped<Vec<GeoFeature>>,
        |api, _who, a| api
            .cameras_near(a.lon, a.lat, a.layer.as_deref(), a.id.as_deref(), a.k.unwrap_or(6))
            .map(|cameras| Shaped::from(serde_json::Value::Array(cameras)));
    /// Open warnings (`state`: open or all), most severe first.
    warnings: Get "/api/v1/warnings" needs "view",
        (state: Option<String>, limit: Option<u32>) -> Vec<Warning>,
        |api, who, a| api.warnings_for(who, all_warnings(a.state.as_deref())?, a.limit.unwrap_or(500)).await;
    acknowledge: Post "/api/v1/warnings/{id}/ack" needs "warning.acknowledge",
        (id: String, by: String) -> Warning,
        |api, who, a| api.acknowledge(who, &a.id, &a.by).await;
    warning_steps: Get "/api/v1/warnings/{id}/steps" needs "view",
        (id: String) -> Vec<StepTaken>,
        |api, who, a| {
            api.warning_in_scope(who, &a.id).await?;
            api.warning_steps(&a.id).await
        };
    take_step: Post "/api/v1/warnings/{id}/steps" needs "warning.acknowledge",
        (id: String, step: usize, by: Option<String>) -> Vec<StepTaken>,
        |api, who, a| api.take_step(who, &a.id, a.step, a.by.as_deref().unwrap_or("")).await;
    /// The audit log: the `latest` rows newest first, or up to `limit` rows after seq `after`.
    audit: Get "/api/v1/audit" needs "audit.read",
        (latest: Option<u32>, after: Option<u64>, limit: Option<u32>) -> Vec<AuditRecord>,
        |api, who, a| match a.latest {
            Some(n) => api.audit_latest(who, n).await,
            None => {
                let after = i64::try_from(a.after.unwrap_or(0)).unwrap_or(i64::MAX);
                api.audit(who, after, a.limit.unwrap_or(1_000)).await
            }
        };
    basemap_style: Get "/api/v1/basemap/style" needs "view",
        () -> serde_json::Value,
        |api, _who, _a| api.basemap_style().await;
    /// A layer as it stood at `at` (data clock ms), from the stored history.
    replay: Get "/api/v1/replay" needs "view",
        (layer: String, at: Instant, bbox: Option<[f64; 4]>) -> Shaped<FeatureCollection>,
        |api, _who, a| {
            let query = FeatureQuery::new(&a.layer, a.bbox, None)?;
            api.replay(&query.layer, a.at.0, query.bbox).await.map(Shaped::from)
        };
    replay_span: Get "/api/v1/replay/span" needs "view",
        () -> ReplaySpan,
        |api, _who, _a| api.replay_span().await;
    replay_warnings: Get "/api/v1/replay/warnings" needs "view",
        (at: Instant) -> Vec<Warning>,
        |api, who, a| api
            .replay_warnings(a.at.0)
            .await
            .map(|list| list.into_iter().filter(|w| api.sees(who, &w.centre)).collect::<Vec<_>>());
    replay_summary: Get "/api/v1/replay/summary" needs "view",
        (at: Instant) -> Summary,
        |api, _who, a| api.replay_summary(a.at.0).await;
    /// One feature's recorded states since `since`.
    history: Get "/api/v1/history" needs "view",
        (layer: String, id: String, since: Option<Instant>, limit: Option<u32>) -> Vec<HistoryPoint>,
        |api, _who, a| api.history(&a.layer, &a.id, a.since.map_or(0, |s| s.0), a.limit.unwrap_or(1_000)).await;
    /// The headline numbers' trend over the caller's area (or `centre`'s); with `since`, only
    /// what came after it.
    summary_series: Get "/api/v1/summary/series" needs "view",
        (since: Option<Instant>, centre: Option<String>) -> Vec<Sample>,
        |api, who, a| {
            let viewer = api.viewing(who, a.centre.as_deref())?;
            Ok(api.summary_series(&viewer, a.since.map(|s| s.0)))
        };
    /// The video wall's saved layouts (预案) and tours.
    video_layouts: Get "/api/v1/video/layouts" needs "view",
        () -> Vec<VideoLayout>,
        |api, _who, _a| api.video_layouts().await;
    save_video_layout: Post "/api/v1/video/layouts" needs "video.operate",
        (#[body] layout: VideoLayout) -> VideoLayout,
        |api, who, a| api.save_video_layout(who, a.layout).await;
    delete_video_layout: Delete "/api/v1/video/layouts/{id}" needs "video.operate",
        (id: String) -> Done,
        |api, who, a| api.delete_video_layout(who, &a.id).await.map(|()| Done::OK);
    /// Every video screen shows the cameras best placed to see a place.
    focus_video: Post "/api/v1/video/focus" needs "video.operate",
        (#[body] focus: crate::feed::Focus) -> Done,
        |api, who, a| api.focus_video(who, a.focus).await.map(|()| Done::OK);
    /// The cameras the walls' video tiles show now.
    video_on_wall: Get "/api/v1/video/onwall" needs "view",
        () -> Vec<OnWallCamera>,
        |api, _who, _a| Ok(api.cameras_on_wall());
    /// Cases newest first, in the given states (all open ones without).
    cases: Get "/api/v1/cases" needs "view",
        (state: Option<Vec<String>>, limit: Option<u32>) -> Vec<Case>,
        |api, who, a| api.cases(who, &case_states(a.state.as_deref())?, a.limit.unwrap_or(500)).await;
    create_case: Post "/api/v1/cases" needs "incident.create",
        (#[body] new_case: NewCase) -> Case,
        |api, who, a| api.create_case(who, a.new_case, "operator").await;
    case_summary: Get "/api/v1/cases/summary" needs "view",
        (centre: Option<String>) -> CaseSummary,
        |api, who, a| {
            let viewer = api.viewing(who, a.centre.as_deref())?;
            api.case_summary_for(&viewer).await
        };
    /// The centres under the caller's, each with its warnings, cases and whether its wall is
    /// there (the parent's panel of its children).
    centre_status: Get "/api/v1/centres/status" needs "view",
        () -> Vec<CentreStatus>,
        |api, who, _a| api.centre_status(who).await;
    /// One case with every step it took.
    case_detail: Get "/api/v1/cases/{id}" needs "view",
        (id: String) -> CaseDetail,
        |api, who, a| api.case(who, &a.id).await.map(|(case, steps)| CaseDetail { case, steps });
    /// A step of the incident loop on a case (each step checks its own action).
    case_step: Post "/api/v1/cases/{id}/{action}" needs "view",
        (id: String, action: String, #[body] input: StepInput) -> Case,
        |api, who, a| api.case_step(who, &a.id, &a.action, a.input).await;
}

/// `state`: open (the default) or all.
fn all_warnings(state: Option<&str>) -> Result<bool, ApiError> {
    match state {
        None | Some("open") => Ok(false),
        Some("all") => Ok(true),
        Some(other) => Err(ApiError::BadRequest(format!(
            "`state` `{other}`: use open or all"
        ))),
    }
}

/// The loop states asked for, each checked.
fn case_states(names: Option<&[String]>) -> Result<Vec<CaseState>, ApiError> {
    names
        .unwrap_or_default()
        .iter()
        .map(|s| {
            CaseState::parse(s.trim()).ok_or_else(|| {
                ApiError::BadRequest(format!("`state` `{s}` is not a state of the loop"))
            })
        })
        .collect()
}

/// The arguments of `endpoint`, or a 400 that names what is wrong with them.
fn decode<T: serde::de::DeserializeOwned>(
    endpoint: &str,
    args: serde_json::Value,
) -> Result<T, ApiError> {
    let args = match args {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        other => other,
    };
    serde_json::from_value(args).map_err(|e| ApiError::BadRequest(format!("{endpoint}: {e}")))
}

/// An answer as JSON text.
fn reply<T: serde::Serialize>(answer: T) -> Result<Box<RawValue>, ApiError> {
    serde_json::value::to_raw_value(&answer)
        .map_err(|e| ApiError::Internal(format!("the answer could not be written: {e}")))
}

/// JSON the engine wrote itself, handed over as it is.
fn written<T>(bytes: Vec<u8>) -> Result<Written<T>, ApiError> {
    String::from_utf8(bytes)
        .map_err(|e| e.to_string())
        .and_then(|text| RawValue::from_string(text).map_err(|e| e.to_string()))
        .map(Written::new)
        .map_err(|e| ApiError::Internal(format!("the answer could not be written: {e}")))
}
