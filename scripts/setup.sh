#!/usr/bin/env bash
# Installs what CityWall needs on Debian 12 and is missing: system packages (Tauri's WebKitGTK
# stack, Xvfb, WebKitWebDriver, Chromium for browser tests, a CJK font, tilemaker and pyosmium
# to build a real city's basemap in the tests, GStreamer's RTSP server for the video interop
# test, PostgreSQL 15 + PostGIS 3 for the store's second backend) and the npm packages of the UI and the browser tests. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev
  pkg-config build-essential libgl1-mesa-dri fonts-dejavu-core fonts-wqy-microhei
  xvfb xauth webkit2gtk-driver chromium python3-venv mosquitto
  tilemaker python3-pyosmium
  gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-ugly python3-gi
  postgresql-15 postgresql-15-postgis-3
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "setup: cargo (Rust) is required: https://rustup.rs" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: node and npm are required (Debian: apt-get install nodejs npm)" >&2; exit 1; }

# The real peers the tests talk to on loopback: pygeoapi (OGC API – Features) and
# django-ogc-sensorthings (OGC SensorThings API), in a project-local virtual environment.
peers=(pygeoapi==0.21.0 django-ogc-sensorthings==1.2.0)
if [ ! -x .venv/bin/pygeoapi ] || [ ! -x .venv/bin/django-admin ]; then
  echo "setup: python peers into .venv (${peers[*]})"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check "${peers[@]}"
fi

for dir in ui tests/browser; do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
