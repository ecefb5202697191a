//! Coordinate systems a source may declare, and their conversion to WGS84 at ingest. Inside the
//! engine everything is WGS84; GCJ-02 (国测局, used by Amap/Tencent) and BD-09 (Baidu) are
//! converted with the `coordtransform` crate's iterative inverses. CGCS2000 differs from WGS84 by
//! centimetres, far below what a city wall draws, so it passes through unchanged.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Crs {
    #[default]
    Wgs84,
    Cgcs2000,
    Gcj02,
    Bd09,
}

impl Crs {
    pub const NAMES: &'static [&'static str] = &["wgs84", "cgcs2000", "gcj02", "bd09"];

    pub fn parse(name: &str) -> Option<Crs> {
        match name.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "wgs84" | "epsg4326" => Some(Crs::Wgs84),
            "cgcs2000" | "epsg4490" => Some(Crs::Cgcs2000),
            "gcj02" => Some(Crs::Gcj02),
            "bd09" => Some(Crs::Bd09),
            _ => None,
        }
    }

    /// Converts a longitude/latitude in this system to WGS84.
    pub fn to_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Wgs84 | Crs::Cgcs2000 => (lon, lat),
            Crs::Gcj02 => coordtransform::gcj02_to_wgs84(lon, lat),
            Crs::Bd09 => coordtransform::bd09_to_wgs84(lon, lat),
        }
    }
}

/// Great-circle distance in metres (haversine), for checking conversions.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_reference_pairs_convert_back_within_a_metre() {
        // Tiananmen, WGS84 (116.404, 39.915): its GCJ-02 and BD-09 forms as the published
        // reference implementations (eviltransform / coordtransform) give them.
        let truth = (116.404, 39.915);
        let gcj = (116.41024449916938, 39.91640428150164);
        let bd = (116.41662724378733, 39.922699552216216);
        assert!(distance_m(Crs::Gcj02.to_wgs84(gcj.0, gcj.1), truth) < 1.0);
        assert!(distance_m(Crs::Bd09.to_wgs84(bd.0, bd.1), truth) < 1.0);
        // Without conversion the error is hundreds of metres: the conversion matters.
        assert!(distance_m(gcj, truth) > 300.0);
    }

    #[test]
    fn names_parse_leniently() {
        assert_eq!(Crs::parse("GCJ-02"), Some(Crs::Gcj02));
        assert_eq!(Crs::parse("bd_09"), Some(Crs::Bd09));
        assert_eq!(
            Crs::parse("EPSG:4490".replace(':', "").as_str()),
            Some(Crs::Cgcs2000)
        );
        assert_eq!(Crs::parse("utm50n"), None);
    }
}
