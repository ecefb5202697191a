//! The engine config (TOML) the demo runs on: every running service polled as a deployment's
//! config would poll the real subsystems, with the regions, rules and layers a duty office
//! would set for this city.

use super::*;

impl SimCity {
    /// An engine config (TOML) that polls every running service, as a deployment's config would
    /// poll the real subsystems.
    ///
    /// The city's district, street and grid polygons are written next to the store as GeoJSON
    /// (as a deployment keeps its GIS exports) and named in the config for aggregates; the rules
    /// are the ones a duty office would set for this city.
    pub fn engine_config(&self, store_path: &str, interval_s: f64) -> String {
        let dir = std::path::Path::new(store_path)
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        let mut regions = String::new();
        for level in ["district", "street", "grid"] {
            let path = dir.join(format!("regions-{level}.geojson"));
            let written = self
                .scenario
                .city
                .regions_geojson(level)
                .map(|v| std::fs::write(&path, v.to_string()));
            if let Some(Ok(())) = written {
                regions.push_str(&format!(
                    "[[regions]]\nlevel = \"{level}\"\npath = {:?}\n\n",
                    path.display().to_string()
                ));
            }
        }
        // The city's basemap, written beside the store as a real city's archive would lie beside
        // its config, and read through the same `[basemap] archive` path.
        let archive = dir.join("basemap.pmtiles");
        let basemap = std::fs::File::create(&archive)
            .map_err(|e| e.to_string())
            .and_then(|f| {
                crate::basemap::write_pmtiles(&self.scenario.city, std::io::BufWriter::new(f))
                    .map_err(|e| e.to_string())
            });
        let basemap = match basemap {
            Ok(_) => format!(
                "[basemap]\narchive = {:?}\n\n",
                archive.display().to_string()
            ),
            Err(e) => {
                tracing::warn!("the demo basemap {}: {e}", archive.display());
                String::new()
            }
        };
        let livelihood: Vec<String> = crate::scenario::LIVELIHOOD
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect();
        // The whole city: its edge all round the centre.
        let edge = crate::city::CITY_EDGE;
        let [west, south] = crate::geo::to_lonlat([-edge, -edge]);
        let [east, north] = crate::geo::to_lonlat([edge, edge]);
        let map = format!("[map]\nextent = [{west:.4}, {south:.4}, {east:.4}, {north:.4}]\n\n");
        let centres = self.centres_config(!regions.is_empty());
        let mut text = format!(
            "demo = true\n\n[store]\npath = {store_path:?}\n\n{centres}\
             [centre]\nname_zh = \"示范市城市运行管理中心\"\nname_en = \"Demo City Operations Centre\"\ntime_zone = \"Asia/Shanghai\"\nlanguage = \"zh\"\n\n\
             [display]\ndiagonal_in = 86\ndistance_m = 3\n\n{map}{basemap}{regions}\
             [[layer]]\nid = \"flood\"\ntitle_zh = \"易涝点\"\ntitle_en = \"Flood points\"\ngroup = \"防汛应急\"\ngroup_en = \"Flood & emergency\"\ntemplate = \"flood\"\ntime_field = \"observed_at\"\n\n\
             [[layer]]\nid = \"overweight\"\ntitle_zh = \"治超站点\"\ntitle_en = \"Overweight trucks\"\ngroup = \"交通运输\"\ngroup_en = \"Transport\"\ntemplate = \"overweight\"\n\n\
             [[layer]]\nid = \"incidents\"\ntitle_zh = \"安全事件\"\ntitle_en = \"Safety incidents\"\ngroup = \"城市管理\"\ngroup_en = \"City management\"\ntemplate = \"incidents\"\n\
             cluster_below_zoom = 13\ntime_field = \"reported_at\"\n\
             severity = {{ field = \"severity\", order = [\"一般\", \"较重\", \"严重\"] }}\n\
             cases = {{ status_field = \"status\", states = {{ \"待受理\" = \"received\", \"已派遣\" = \"dispatched\", \"处置中\" = \"handling\", \"已办结\" = \"closed\" }}, \
             urgent = {{ field = \"severity\", values = [\"严重\"] }} }}\n\n\
             [incidents]\nlimit_h = 4\nurgent_limit_h = 3\n\
             categories = {{ \"明火\" = 3, \"人员聚集\" = 3, \"积水\" = 3, \"高空抛物\" = 3, \"消防通道占用\" = 4, \"道路遗撒\" = 4, \
             \"井盖破损\" = 4, \"道路破损\" = 4, \"噪声扰民\" = 4, \"供水异常\" = 4, \"楼道堆物\" = 4, \"违章搭建\" = 4, \"垃圾未清运\" = 4 }}\n\
             departments = [\"城管一中队\", \"城管二中队\", \"环卫所\", \"市政养护处\", \"供水公司\", \"消防救援站\"]\n\n\
             [rules.flood]\nlayer = \"flood\"\nhysteresis_m = 0.03\nrise_m_per_h = 0.35\nrise_window_min = 20\nsilent_after_min = 30\n\n\
             [rules.overweight]\nlayer = \"overweight\"\nrate_threshold_pct = 10\nrate_hysteresis_pct = 2\nrate_min_passes = 30\npass_clear_after_min = 20\n\
             classes = [{{ min_pct = 50, level = \"yellow\" }}, {{ min_pct = 80, level = \"orange\" }}, {{ min_pct = 100, level = \"red\" }}]\n\n\
             [rules.hotspot]\nlayer = \"incidents\"\nwindow_min = 120\nthresholds = {{ yellow = 6, orange = 10, red = 15 }}\n\
             groups = [{{ name = \"住房民生\", name_en = \"housing\", categories = [{}] }}, \
             {{ name = \"公共安全\", name_en = \"public safety\", categories = [\"明火\", \"高空抛物\", \"电动车进电梯\", \"消防通道占用\", \"安全隐患\", \"人员聚集\"] }}]\n\n\
             [rules.duplicates]\nlayer = \"incidents\"\nwithin_m = 100\nwithin_min = 30\n\n\
             [warnings.procedures.flood-level]\ndepartment = \"市排水管理处\"\ncontact = \"0527-84300110\"\n\
             steps = [\"调阅视频核实积水深度\", \"通知排水泵车出动\", \"设置警戒，封闭下穿通道\", \"发布绕行提示\"]\n\
             department_en = \"City drainage office\"\n\
             steps_en = [\"Check the depth on video\", \"Send the pump trucks\", \"Cordon off and close the underpass\", \"Publish a detour notice\"]\n\n\
             [warnings.procedures.source-down]\ndepartment = \"市大数据中心运维值班\"\ncontact = \"0527-84300119\"\n\
             steps = [\"查看数据源故障原因\", \"电话通知系统运维单位\", \"恢复后核对缺失时段数据\"]\n\
             department_en = \"Big-data centre, operations on duty\"\n\
             steps_en = [\"Read why the source fails\", \"Call the system's maintainer\", \"After recovery, check the missing period\"]\n\n\
             [warnings.procedures.hotspot]\ndepartment = \"属地街道网格中心\"\ncontact = \"0527-12345\"\n\
             steps = [\"查看网格内事件明细\", \"派网格员现场核查\", \"合并立案，跟踪办结\"]\n\
             department_en = \"Local street grid centre\"\n\
             steps_en = [\"Read the grid's incidents\", \"Send a grid officer to check\", \"Register as one case and follow it\"]\n",
            livelihood.join(", ")
        );
        if self.url(Subsystem::Cameras).is_some() {
            text.push_str(
                "\n[[layer]]\nid = \"cameras\"\ntitle_zh = \"视频监控\"\ntitle_en = \"Cameras\"\ngroup = \"视频感知\"\ngroup_en = \"Cameras\"\ntemplate = \"cameras\"\ncluster_below_zoom = 15\nhistory = false\n\n\
                 [[layer]]\nid = \"components\"\ntitle_zh = \"城市部件\"\ntitle_en = \"City components\"\ngroup = \"城市部件\"\ngroup_en = \"City components\"\ntemplate = \"components\"\nvisible = false\ncluster_below_zoom = 17\nhistory = false\n\n\
                 [cameras]\nlayer = \"cameras\"\n",
            );
            if let Some((_, rtsp)) = self.video_ports() {
                text.push_str(&format!(
                    "stream = \"rtsp://127.0.0.1:{rtsp}/video/{{id}}/sub.{{codec}}\"\n\
                     main_stream = \"rtsp://127.0.0.1:{rtsp}/video/{{id}}/main.{{codec}}\"\n"
                ));
            }
        }
        if let Some(port) = *self.rain_broker.lock().unwrap_or_else(|p| p.into_inner()) {
            text.push_str(&format!(
                "\n[[layer]]\nid = \"rain\"\ntitle_zh = \"雨量站\"\ntitle_en = \"Rain gauges\"\ngroup = \"防汛应急\"\ngroup_en = \"Flood & emergency\"\ntemplate = \"rain\"\n\n\
                 [[source]]\nid = \"sim-rain-gauges\"\nlayer = \"rain\"\nkind = \"mqtt\"\ntitle = \"水文雨量监测(MQTT)\"\n\
                 url = \"mqtt://127.0.0.1:{port}\"\ntopics = [\"city/rain/+\"]\n\
                 fields = {{ id = \"station\", lon = \"lng\", lat = \"lat\" }}\ninterval_s = 1\nmax_age_s = 30\n"
            ));
        }
        if let Some(port) = *self.portal.lock().unwrap_or_else(|p| p.into_inner()) {
            text.push_str(&crate::wider::config_text(
                &format!("http://127.0.0.1:{port}"),
                interval_s,
            ));
        }
        for s in Subsystem::ALL.into_iter().chain(Subsystem::INVENTORY) {
            if let Some(url) = self.url(s) {
                let (kind, url) = match s.format() {
                    Format::SensorThings => {
                        let map: Vec<String> = GAUGE_DATASTREAMS
                            .iter()
                            .map(|(k, v)| format!("\"{k}\" = \"{v}\""))
                            .collect();
                        (
                            format!(
                                "kind = \"sensorthings\"\ndatastreams = {{ {} }}\n",
                                map.join(", ")
                            ),
                            url.trim_end_matches("/Things").to_string(),
                        )
                    }
                    Format::GeoJson => ("kind = \"geojson\"\n".to_string(), url),
                    Format::OgcFeatures => (
                        "kind = \"ogc-features\"\ncollection = \"stations\"\nlimit = 10\n"
                            .to_string(),
                        url.trim_end_matches(s.path()).to_string(),
                    ),
                    Format::JsonRecords => {
                        let fields: Vec<String> = INCIDENT_FIELDS
                            .iter()
                            .map(|(k, v)| format!("{k} = \"{v}\""))
                            .collect();
                        (
                            format!("kind = \"json-records\"\nrecords_path = \"data.rows\"\nfields = {{ {} }}\n", fields.join(", ")),
                            url,
                        )
                    }
                };
                // The inventories are big and change rarely: polled seldom, with room to answer.
                let timing = match s {
                    Subsystem::Cameras => {
                        "interval_s = 60\ntimeout_s = 120\nmax_body_mb = 256\n".to_string()
                    }
                    Subsystem::Components => {
                        "interval_s = 3600\ntimeout_s = 300\nmax_body_mb = 1024\n".to_string()
                    }
                    _ => format!("interval_s = {interval_s}\ntimeout_s = 5\n"),
                };
                text.push_str(&format!(
                    "\n[[source]]\nid = \"{}\"\nlayer = \"{}\"\n{kind}crs = \"{}\"\ntitle = \"{}\"\nurl = \"{url}\"\n{timing}",
                    s.source_id(),
                    s.layer(),
                    s.crs(),
                    s.title_zh()
                ));
            }
        }
        text
    }
}

/// How many districts have a centre of their own in the demo ("1+3+N": the city's, three
/// districts', and each of those districts' streets).
const DISTRICT_CENTRES: usize = 3;

impl SimCity {
    /// The demo's centres: the city's, the first districts' and their streets' stations, each
    /// answering for its region of the GIS levels written beside the config (none without them:
    /// the city is then one centre). The city's wall lists its districts in 下级中心.
    fn centres_config(&self, with_regions: bool) -> String {
        if !with_regions {
            return String::new();
        }
        let city = &self.scenario.city;
        let mut text = String::from(
            "[[centres]]\nid = \"city\"\nack_limit_min = 5\n\n\
             [panels]\nleft = [\"layers\", \"centres\", \"stations\", \"categories\"]\n\n",
        );
        for (d, district) in city.districts.iter().enumerate().take(DISTRICT_CENTRES) {
            text.push_str(&format!(
                "[[centres]]\nid = \"{}\"\nparent = \"city\"\nname_zh = \"{}分中心\"\nname_en = \"District {} centre\"\n\
                 jurisdiction = {{ level = \"district\", region = \"{}\" }}\nack_limit_min = 5\n\n",
                district.id, district.name, d + 1, district.id
            ));
            for (n, street) in city
                .streets
                .iter()
                .filter(|s| s.parent == Some(d))
                .enumerate()
            {
                text.push_str(&format!(
                    "[[centres]]\nid = \"{}\"\nparent = \"{}\"\nname_zh = \"{}工作站\"\nname_en = \"Street {}-{} station\"\n\
                     jurisdiction = {{ level = \"street\", region = \"{}\" }}\n\n",
                    street.id, district.id, street.name, d + 1, n + 1, street.id
                ));
            }
        }
        text
    }
}
