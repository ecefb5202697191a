//! Builds the desktop shell. The app's commands are declared to Tauri from the access matrix
//! (`[commands]` of crates/model/src/access/matrix.toml), so each gets an `allow-<command>`
//! permission and a window may call only those its capability grants (src-tauri/capabilities).

#[cfg(feature = "desktop")]
const MATRIX: &str = "../crates/model/src/access/matrix.toml";

/// The command names of the matrix's `[commands]` table.
#[cfg(feature = "desktop")]
fn matrix_commands(text: &str) -> Vec<String> {
    let mut inside = false;
    let mut commands = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[commands]";
        } else if inside && !line.is_empty() && !line.starts_with('#') {
            if let Some((name, _)) = line.split_once('=') {
                commands.push(name.trim().to_string());
            }
        }
    }
    commands
}

fn main() {
    #[cfg(feature = "desktop")]
    desktop();
}

#[cfg(feature = "desktop")]
fn desktop() {
    // The window embeds the built UI: rebuild when it changes.
    println!("cargo:rerun-if-changed=../ui/dist");
    println!("cargo:rerun-if-changed={MATRIX}");
    let text = std::fs::read_to_string(MATRIX).unwrap_or_default();
    // The manifest wants names that live as long as the build; a build script ends right after.
    let commands: &'static [&'static str] = Box::leak(
        matrix_commands(&text)
            .into_iter()
            .map(|c| &*Box::leak(c.into_boxed_str()))
            .collect::<Vec<&'static str>>()
            .into_boxed_slice(),
    );
    if commands.is_empty() {
        panic!("{MATRIX} lists no [commands]: the desktop app would have none");
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .unwrap_or_else(|e| panic!("tauri build: {e:#}"));
}
