//! The physical wall: which screen shows what. A `[wall]` config names the screens in rows ×
//! columns, the bezel between them and each screen's role (map, panels, video); [`plan`] turns
//! that and the monitors the OS reports into the windows to open — one full-screen kiosk window
//! per monitor, or one window spanning them all — and remembers the arrangement, so a restart
//! puts every role back on the same physical monitor even if the OS lists monitors in another
//! order. Pure: the desktop shell opens what the plan says.

use std::path::Path;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The map with its header, time bar and ticker.
    Map,
    /// KPIs, charts, warnings and source health, without the map.
    Panels,
    /// Camera tiles for the warning in focus.
    Video,
    /// Everything (a single screen or a spanning window).
    Full,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Map => "map",
            Role::Panels => "panels",
            Role::Video => "video",
            Role::Full => "full",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WallMode {
    PerMonitor,
    Spanning,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WallConfig {
    pub mode: WallMode,
    pub rows: u32,
    pub columns: u32,
    /// Bezel between neighbouring screens, in pixels of the screens (horizontal, vertical).
    #[serde(default)]
    pub bezel_px: [u32; 2],
    /// Each screen's role, row by row from the top left.
    pub screens: Vec<Role>,
}

impl WallConfig {
    /// Problems, for the config report.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let n = (self.rows * self.columns) as usize;
        if self.rows == 0 || self.columns == 0 || n > 64 {
            out.push(format!(
                "{} × {} screens: give 1 to 64 screens",
                self.rows, self.columns
            ));
        } else if self.screens.len() != n {
            out.push(format!(
                "`screens` lists {} roles for {} × {} = {n} screens",
                self.screens.len(),
                self.rows,
                self.columns
            ));
        }
        if self.mode == WallMode::PerMonitor && !self.screens.contains(&Role::Map) {
            out.push("no screen shows the map: give one screen the role \"map\"".into());
        }
        out
    }
}

/// A monitor as the OS reports it, in physical pixels of the virtual desktop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Monitor {
    pub name: String,
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// Whether the window with this label is where the operator works: the single window, or a
/// screen showing the panels (or everything). The others only show, as a kiosk screen does, and
/// the desktop app grants them only what the `wall` role may do.
pub fn window_operates(label: &str) -> bool {
    label == "wall" || label.ends_with("-panels") || label.ends_with("-full")
}

/// One window to open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowPlan {
    pub label: String,
    pub role: Role,
    /// The monitor it goes on (`None` for a spanning window).
    pub monitor: Option<String>,
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    /// Full-screen kiosk on its monitor; a spanning window is borderless instead.
    pub fullscreen: bool,
    /// For a spanning window: where the screens' bezels fall, as x / y offsets in the window.
    pub bezels_x: Vec<u32>,
    pub bezels_y: Vec<u32>,
}

/// What was opened last time: the monitor (by name) each screen went to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Arrangement {
    pub screens: Vec<Option<String>>,
}

/// Where the arrangement is remembered: the user's config directory (`$XDG_CONFIG_HOME`, else
/// `~/.config`), so it outlives a demo's temporary store.
pub fn arrangement_path() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".config"))
        })?;
    Some(base.join("citywall").join("wall-arrangement.json"))
}

/// A `--wall FILE`: just the `[wall]` table, to lay any config (the demo too) out on a wall.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WallFile {
    pub wall: WallConfig,
}

impl WallFile {
    pub fn parse(text: &str, file: &str) -> Result<WallConfig, String> {
        let parsed: WallFile = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        let problems = parsed.wall.problems();
        if problems.is_empty() {
            Ok(parsed.wall)
        } else {
            Err(format!("{file}: [wall]: {}", problems.join("; ")))
        }
    }
}

impl Arrangement {
    pub fn load(path: &Path) -> Option<Arrangement> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text)
    }
}

/// The windows for `config` on `monitors`, keeping `previous`'s assignment of screens to
/// monitors where those monitors are still there; returns the plan and the arrangement to
/// remember. Without a config: one full window on the first monitor.
pub fn plan(
    config: Option<&WallConfig>,
    monitors: &[Monitor],
    previous: Option<&Arrangement>,
) -> (Vec<WindowPlan>, Arrangement) {
    // Reading order: top to bottom, then left to right.
    let mut ordered: Vec<&Monitor> = monitors.iter().collect();
    ordered.sort_by_key(|m| (m.y, m.x));
    let single = |role: Role, m: Option<&Monitor>| WindowPlan {
        label: "wall".into(),
        role,
        monitor: m.map(|m| m.name.clone()),
        x: m.map(|m| m.x).unwrap_or(0),
        y: m.map(|m| m.y).unwrap_or(0),
        width: m.map(|m| m.width).unwrap_or(1920),
        height: m.map(|m| m.height).unwrap_or(1080),
        fullscreen: false,
        bezels_x: vec![],
        bezels_y: vec![],
    };
    let Some(config) = config else {
        return (
            vec![single(Role::Full, ordered.first().copied())],
            Arrangement::default(),
        );
    };
    if config.mode == WallMode::Spanning || ordered.is_empty() {
        let (x0, y0) = (
            ordered.iter().map(|m| m.x).min().unwrap_or(0),
            ordered.iter().map(|m| m.y).min().unwrap_or(0),
        );
        let x1 = ordered
            .iter()
            .map(|m| m.x + m.width as i32)
            .max()
            .unwrap_or(1920);
        let y1 = ordered
            .iter()
            .map(|m| m.y + m.height as i32)
            .max()
            .unwrap_or(1080);
        let mut bezels_x: Vec<u32> = ordered
            .iter()
            .map(|m| (m.x - x0) as u32)
            .filter(|&x| x > 0)
            .collect();
        let mut bezels_y: Vec<u32> = ordered
            .iter()
            .map(|m| (m.y - y0) as u32)
            .filter(|&y| y > 0)
            .collect();
        bezels_x.sort();
        bezels_x.dedup();
        bezels_y.sort();
        bezels_y.dedup();
        let window = WindowPlan {
            label: "wall".into(),
            role: Role::Full,
            monitor: None,
            x: x0,
            y: y0,
            width: (x1 - x0) as u32,
            height: (y1 - y0) as u32,
            fullscreen: false,
            bezels_x,
            bezels_y,
        };
        return (vec![window], Arrangement::default());
    }
    // Per monitor: keep last time's monitor for each screen where it still exists, then give
    // the free monitors to the other screens in reading order.
    let n = config.screens.len();
    let mut assigned: Vec<Option<&Monitor>> = vec![None; n];
    let mut taken: Vec<&str> = Vec::new();
    if let Some(prev) = previous {
        for (i, name) in prev.screens.iter().enumerate().take(n) {
            if let Some(m) = name
                .as_deref()
                .and_then(|name| ordered.iter().find(|m| m.name == name))
            {
                if !taken.contains(&m.name.as_str()) {
                    assigned[i] = Some(m);
                    taken.push(&m.name);
                }
            }
        }
    }
    let mut free = ordered
        .iter()
        .copied()
        .filter(|m| !taken.contains(&m.name.as_str()));
    for slot in assigned.iter_mut().filter(|s| s.is_none()) {
        *slot = free.next();
    }
    let windows = config
        .screens
        .iter()
        .zip(&assigned)
        .enumerate()
        .map(|(i, (role, m))| {
            let mut w = single(*role, *m);
            w.label = format!("screen-{i}-{}", role.as_str());
            // A screen without a monitor of its own opens as a window on the first one.
            w.fullscreen = m.is_some();
            w
        })
        .collect();
    let arrangement = Arrangement {
        screens: assigned.iter().map(|m| m.map(|m| m.name.clone())).collect(),
    };
    (windows, arrangement)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitor(name: &str, x: i32, y: i32) -> Monitor {
        Monitor {
            name: name.into(),
            x,
            y,
            width: 3840,
            height: 2160,
        }
    }

    fn wall(mode: WallMode) -> WallConfig {
        WallConfig {
            mode,
            rows: 1,
            columns: 3,
            bezel_px: [12, 0],
            screens: vec![Role::Panels, Role::Map, Role::Video],
        }
    }

    #[test]
    fn one_kiosk_window_per_monitor_in_reading_order() {
        // The OS lists them out of order.
        let monitors = [
            monitor("DP-3", 7680, 0),
            monitor("DP-1", 0, 0),
            monitor("DP-2", 3840, 0),
        ];
        let (windows, arrangement) = plan(Some(&wall(WallMode::PerMonitor)), &monitors, None);
        let got: Vec<(Role, Option<&str>, bool)> = windows
            .iter()
            .map(|w| (w.role, w.monitor.as_deref(), w.fullscreen))
            .collect();
        assert_eq!(
            got,
            [
                (Role::Panels, Some("DP-1"), true),
                (Role::Map, Some("DP-2"), true),
                (Role::Video, Some("DP-3"), true)
            ]
        );
        assert_eq!(windows[1].x, 3840);
        assert_eq!(arrangement.screens[1].as_deref(), Some("DP-2"));
    }

    #[test]
    fn a_restart_keeps_each_role_on_its_monitor() {
        let before = Arrangement {
            screens: vec![
                Some("DP-3".into()),
                Some("DP-1".into()),
                Some("DP-2".into()),
            ],
        };
        let monitors = [
            monitor("DP-1", 0, 0),
            monitor("DP-2", 3840, 0),
            monitor("DP-3", 7680, 0),
        ];
        let (windows, after) = plan(Some(&wall(WallMode::PerMonitor)), &monitors, Some(&before));
        assert_eq!(windows[0].monitor.as_deref(), Some("DP-3"));
        assert_eq!(windows[1].monitor.as_deref(), Some("DP-1"));
        assert_eq!(after, before);
        // A monitor gone: its screen moves to a free one; with none free, it opens windowed.
        let (windows, _) = plan(
            Some(&wall(WallMode::PerMonitor)),
            &monitors[..2],
            Some(&before),
        );
        assert_eq!(windows[1].monitor.as_deref(), Some("DP-1"));
        assert_eq!(windows[2].monitor.as_deref(), Some("DP-2"));
        assert!(
            !windows[0].fullscreen,
            "no monitor left for the panels screen"
        );
    }

    #[test]
    fn a_spanning_window_covers_all_monitors_and_knows_the_bezels() {
        let monitors = [
            monitor("A", 0, 0),
            monitor("B", 3840, 0),
            monitor("C", 0, 2160),
            monitor("D", 3840, 2160),
        ];
        let (windows, _) = plan(Some(&wall(WallMode::Spanning)), &monitors, None);
        assert_eq!(windows.len(), 1);
        let w = &windows[0];
        assert_eq!((w.x, w.y, w.width, w.height), (0, 0, 7680, 4320));
        assert_eq!(w.bezels_x, [3840]);
        assert_eq!(w.bezels_y, [2160]);
        assert_eq!(w.role, Role::Full);
    }

    #[test]
    fn config_problems_are_named() {
        let mut c = wall(WallMode::PerMonitor);
        c.screens.pop();
        assert!(c.problems()[0].contains("2 roles for 1 × 3"));
        c.screens = vec![Role::Panels, Role::Video, Role::Panels];
        assert!(c.problems()[0].contains("no screen shows the map"));
    }
}
