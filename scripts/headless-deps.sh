#!/usr/bin/env bash
# `citywall serve` on a server is built without the desktop and the demo city: its dependency
# tree (normal edges) must hold neither Tauri, WebKitGTK nor the sim.
set -euo pipefail
tree=$(cargo tree -e normal -p citywall --no-default-features --features serve --prefix none)
if grep -E '^(tauri|tauri-[a-z-]+|webkit2gtk|webkit2gtk-sys|gtk|citywall-sim) v' <<<"$tree"; then
  echo "headless-deps: the headless citywall (--no-default-features --features serve) depends on the above"
  exit 1
fi
echo "headless-deps: the headless citywall holds no Tauri, WebKitGTK or sim ($(sort -u <<<"$tree" | wc -l) crates)"
