//! Writes the UI's endpoint module (`ui/src/transport/endpoints.gen.ts`) from the engine's
//! endpoint table to the path given, or to stdout.

fn main() {
    let text = citywall_engine::endpoints::typescript();
    match std::env::args().nth(1) {
        Some(path) => {
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("citywall-endpoints: cannot write {path}: {e}");
                std::process::exit(1);
            }
        }
        None => print!("{text}"),
    }
}
