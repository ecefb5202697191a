# CityWall. The README's two commands: `make demo` and `make test`. Both set up what is missing.
SHELL := /bin/bash
XVFB := xvfb-run -a -s "-screen 0 1920x1080x24"

.PHONY: setup endpoints ui build demo serve test lint test-rust test-postgres test-ui test-browser soak bench basemap clean

setup:
	./scripts/setup.sh

# The UI's typed calls, written from the engine's endpoint table (not committed: the table is
# the one definition). Built with the rest of the workspace but the app (which embeds the UI), so
# the libraries compiled here are the ones `build` links, not a second set.
endpoints: setup
	cargo build -q --workspace --exclude citywall --bins
	./target/debug/citywall-endpoints ui/src/transport/endpoints.gen.ts ui/src/types.gen.ts

# The UI is built first: the desktop binary embeds ui/dist.
ui: setup endpoints
	cd ui && npx vite build --logLevel warn

build: ui
	cargo build --workspace --bins

# Opens the desktop wall on the simulated city, fully offline. Without a display (a server, an
# SSH session) it says so and serves the same wall to a browser instead.
demo: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then ./target/debug/citywall; \
	else echo "make demo: no display here; serving the wall for a browser instead"; \
	./target/debug/citywall serve --demo --port 8765; fi

# Browser mode on http://127.0.0.1:8765/ with the demo city.
serve: build
	./target/debug/citywall serve --demo --port 8765

test: build lint test-ui test-rust test-browser
	@echo "make test: all green"

# The import check fails on a circle of more than two files inside any crate (see the script).
lint:
	./scripts/ui-sizes.sh
	python3 scripts/import-cycles.py
	python3 scripts/one-writer.py
	./scripts/headless-deps.sh
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

test-ui: setup endpoints
	cd ui && npx tsc --noEmit -p . && npx vitest run

# Engine, sim and end-to-end tests (real peers on loopback); the app e2e opens the real window
# under Xvfb.
test-rust: build
	CITYWALL_REQUIRE_APP_E2E=1 CITYWALL_REQUIRE_PEERS=1 $(XVFB) cargo test --workspace
	@cat test-output/app-idle.txt 2>/dev/null || true
	$(MAKE) test-postgres

# The engine's end-to-end suite again with its store in PostgreSQL + PostGIS (a server of its
# own on loopback, Debian's postgresql-15): the second backend behaves as the first. The same
# feature set as `cargo test --workspace`, so the test binary built there is the one run.
test-postgres: setup
	CITYWALL_E2E_STORE=postgres CITYWALL_REQUIRE_PEERS=1 cargo test --workspace --test e2e

test-browser: build
	node tests/browser/wall.e2e.mjs
	node tests/browser/basemap.e2e.mjs
	node tests/browser/access.e2e.mjs
	node tests/browser/inert.e2e.mjs
	node tests/browser/layout.e2e.mjs
	VIDEO_SECONDS=20 node tests/browser/video.e2e.mjs
	node tests/browser/linkage.e2e.mjs
	node tests/browser/centres.e2e.mjs

# Not part of `make test`: the demo wall open in Chromium for an hour, the RSS of every process
# sampled each minute; fails if any grows more than 5 % after a 10-minute warm-up
# (SOAK_MINUTES, SOAK_WARMUP_MINUTES, SOAK_LIMIT_PCT to change).
soak: build
	node tests/browser/soak.mjs

# Benchmarks (release builds), each printing its ratios against the named peers in the same run:
# the ingest pipeline against a plain batched insert (1M records); the spatial index and cluster
# pyramid against kdbush, flatbush and supercluster from npm (1M points, same queries).
bench: setup
	npm ci --prefix bench/js --no-audit --no-fund
	cargo bench -p citywall-engine --bench spatial
	cargo bench -p citywall-engine --bench ingest
	cargo bench -p citywall-engine --bench shapes

# Regenerates the committed basemap from the sim city's geometry.
basemap:
	cargo run -q -p citywall-sim --bin citywall-basemap -- assets/basemap/city.pmtiles

clean:
	cargo clean
	rm -rf ui/dist test-output
