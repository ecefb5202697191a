//! Writes the UI's generated modules from the engine's endpoint table: the endpoint calls
//! (`ui/src/transport/endpoints.gen.ts`) and the types they carry (`ui/src/types.gen.ts`), to the
//! two paths given, or both to stdout.

fn main() {
    let modules = citywall_engine::endpoints::typescript();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [endpoints, types] => {
            for (path, text) in [(endpoints, &modules.endpoints), (types, &modules.types)] {
                if let Err(e) = std::fs::write(path, text) {
                    eprintln!("citywall-endpoints: cannot write {path}: {e}");
                    std::process::exit(1);
                }
            }
        }
        [] => print!("{}\n{}", modules.endpoints, modules.types),
        _ => {
            eprintln!("usage: citywall-endpoints [ENDPOINTS.gen.ts TYPES.gen.ts]");
            std::process::exit(2);
        }
    }
}
