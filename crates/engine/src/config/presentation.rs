//! How the wall presents a layer, as `[[layer]]` declares it: its catalogue group, whether it
//! shows when the wall opens, its zoom range, its geometry (points, lines or polygons), a label
//! field, a style (one colour, colour by category or by numeric thresholds; a point's radius, a
//! line's width and dash, a polygon's fill opacity; an outline) and the popup's fields. A layer may
//! instead name one of the detail templates the wall ships (`template = "flood"`), which brings
//! that template's own symbology. The engine checks all of it and hands it to the wall as is.

use serde::{Deserialize, Serialize};

/// The detail templates the wall ships (ui/src/lib/layers/defs/), by name.
pub const TEMPLATES: &[&str] = &[
    "flood",
    "overweight",
    "incidents",
    "rain",
    "cameras",
    "components",
];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "LayerPresentation")]
pub struct Presentation {
    /// The catalogue group the layer is listed under (城市管理, 应急, 交通 …).
    pub group: Option<String>,
    /// The group's name on an English wall (default: `group`).
    pub group_en: Option<String>,
    /// Shown when the wall opens (default: yes).
    pub visible: bool,
    pub min_zoom: Option<f64>,
    pub max_zoom: Option<f64>,
    pub template: Option<String>,
    /// What the layer's features are: `point` (default), `line` or `polygon` — for its legend;
    /// the map draws each feature by its own geometry whatever this says.
    pub geometry: Option<String>,
    /// The property written beside each feature on the map.
    pub label: Option<String>,
    pub style: Option<PointStyle>,
    /// The popup's rows, in order; without any, every property is listed.
    pub popup: Vec<PopupField>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointStyle {
    /// One colour for every feature (`#rgb` or `#rrggbb`).
    pub color: Option<String>,
    /// Colour from a property: by category (`values`) or by numeric thresholds (`stops`).
    pub color_by: Option<ColorBy>,
    /// Circle radius in pixels (default 6).
    pub radius: Option<f64>,
    /// Line width in pixels (default 3; a polygon's outline 1.5).
    pub width: Option<f64>,
    /// A dashed line: `[dash, gap]` in line widths.
    pub dash: Option<Vec<f64>>,
    /// Outline colour (default a light rim for points, the colour for polygons).
    pub outline: Option<String>,
    /// 0–1: a point's or line's opacity (default 0.9), a polygon fill's (default 0.3).
    pub opacity: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColorBy {
    pub field: String,
    /// Category → colour, in the config's order (the legend lists them so).
    #[serde(default)]
    pub values: indexmap::IndexMap<String, String>,
    /// Category → its name in an English wall's legend (default: the category as written).
    #[serde(default)]
    pub values_en: indexmap::IndexMap<String, String>,
    /// `[[threshold, colour], …]` ascending: a value takes the colour of the last threshold it
    /// reaches.
    #[serde(default)]
    pub stops: Vec<(f64, String)>,
    /// For values no category or threshold covers.
    pub default: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PopupField {
    pub field: String,
    /// The row's title (default: the field's name).
    pub title: Option<String>,
    /// The row's title on an English wall (default: `title`).
    pub title_en: Option<String>,
    pub unit: Option<String>,
    /// `text` (default), `number`, `percent` or `time`.
    pub format: Option<String>,
    /// Decimals for `number` and `percent`.
    pub digits: Option<u8>,
}

const FORMATS: &[&str] = &["text", "number", "percent", "time"];
pub const GEOMETRIES: &[&str] = &["point", "line", "polygon"];

fn is_colour(c: &str) -> bool {
    let hex = c.strip_prefix('#').unwrap_or("");
    matches!(hex.len(), 3 | 6 | 8) && hex.chars().all(|ch| ch.is_ascii_hexdigit())
}

impl Presentation {
    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let colour = |problems: &mut Vec<(&'static str, String)>, field, c: &str| {
            if !is_colour(c) {
                problems.push((
                    field,
                    format!("`{c}` is not a colour: write #rgb or #rrggbb"),
                ));
            }
        };
        if let Some(t) = &self.template {
            if !TEMPLATES.contains(&t.as_str()) {
                problems.push((
                    "layer.template",
                    format!(
                        "unknown template `{t}`: the wall ships {}",
                        TEMPLATES.join(", ")
                    ),
                ));
            }
        }
        if let Some(g) = self.geometry.as_deref().filter(|g| !GEOMETRIES.contains(g)) {
            problems.push((
                "layer.geometry",
                format!("unknown geometry `{g}`: use {}", GEOMETRIES.join(", ")),
            ));
        }
        for (field, zoom) in [
            ("layer.min_zoom", self.min_zoom),
            ("layer.max_zoom", self.max_zoom),
        ] {
            if let Some(z) = zoom.filter(|z| !(0.0..=24.0).contains(z)) {
                problems.push((field, format!("{z} is outside 0..24")));
            }
        }
        if let (Some(lo), Some(hi)) = (self.min_zoom, self.max_zoom) {
            if lo >= hi {
                problems.push(("layer.max_zoom", format!("{hi} is not above min_zoom {lo}")));
            }
        }
        if let Some(style) = &self.style {
            if let Some(c) = &style.color {
                colour(&mut problems, "layer.style.color", c);
            }
            if let Some(c) = &style.outline {
                colour(&mut problems, "layer.style.outline", c);
            }
            if let Some(r) = style.radius.filter(|r| !(1.0..=40.0).contains(r)) {
                problems.push(("layer.style.radius", format!("{r} px is outside 1..40")));
            }
            if let Some(w) = style.width.filter(|w| !(0.5..=30.0).contains(w)) {
                problems.push(("layer.style.width", format!("{w} px is outside 0.5..30")));
            }
            if let Some(d) = &style.dash {
                if d.len() != 2 || d.iter().any(|x| !(0.0..=50.0).contains(x)) || d[0] <= 0.0 {
                    problems.push((
                        "layer.style.dash",
                        "write [dash, gap] in line widths, each 0..50, the dash above 0".into(),
                    ));
                }
            }
            if let Some(o) = style.opacity.filter(|o| !(0.0..=1.0).contains(o)) {
                problems.push(("layer.style.opacity", format!("{o} is outside 0..1")));
            }
            if let Some(by) = &style.color_by {
                if by.field.trim().is_empty() {
                    problems.push(("layer.style.color_by.field", "is empty".into()));
                }
                if by.values.is_empty() == by.stops.is_empty() {
                    problems.push((
                        "layer.style.color_by",
                        "give either `values` (category → colour) or `stops` ([threshold, colour] …)"
                            .into(),
                    ));
                }
                for value in by.values_en.keys().filter(|v| !by.values.contains_key(*v)) {
                    problems.push((
                        "layer.style.color_by.values_en",
                        format!("names `{value}`, which `values` does not colour"),
                    ));
                }
                for c in by.values.values() {
                    colour(&mut problems, "layer.style.color_by.values", c);
                }
                for (_, c) in &by.stops {
                    colour(&mut problems, "layer.style.color_by.stops", c);
                }
                if by.stops.windows(2).any(|w| w[0].0 >= w[1].0) {
                    problems.push((
                        "layer.style.color_by.stops",
                        "thresholds must ascend".into(),
                    ));
                }
                if let Some(c) = &by.default {
                    colour(&mut problems, "layer.style.color_by.default", c);
                }
            }
        }
        for p in &self.popup {
            if p.field.trim().is_empty() {
                problems.push(("layer.popup.field", "is empty".into()));
            }
            if let Some(f) = p.format.as_deref().filter(|f| !FORMATS.contains(f)) {
                problems.push((
                    "layer.popup.format",
                    format!("unknown format `{f}`: use {}", FORMATS.join(", ")),
                ));
            }
        }
        problems
    }
}
