#!/usr/bin/env python3
"""The engine is the only writer: outside the engine's runtime (crates/engine/src/engine/),
no code of the engine or the server calls a method of the store that writes. Every change an
operator makes goes through one engine method that stores it, then applies it in memory, then
publishes it (crates/engine/src/engine/commit.rs). Fails naming each call found elsewhere.

Run from the repository root; in `make lint`."""

import pathlib
import re
import sys

# The store traits' methods that change what the store holds (crates/store/src/backend.rs).
WRITES = [
    "apply", "save_warnings", "save_warnings_audited", "append_audit", "put_user", "login",
    "logout", "set_disabled", "remove_user", "create_case", "update_case",
    "sync_source_cases", "put_media", "put_video_layout",
]
CALL = re.compile(r"\bstore(?:\(\))?\s*\.\s*(" + "|".join(WRITES) + r")\s*\(")
ALLOWED = pathlib.Path("crates/engine/src/engine")
CHECKED = [pathlib.Path("crates/engine/src"), pathlib.Path("crates/server/src")]


def main() -> int:
    found = []
    for root in CHECKED:
        for path in sorted(root.rglob("*.rs")):
            if ALLOWED in path.parents:
                continue
            text = path.read_text(encoding="utf-8")
            for match in CALL.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path}:{line}: the store's `{match.group(1)}` called outside the engine")
    for f in found:
        print(f)
    if found:
        print("one-writer: write through one Engine method (crates/engine/src/engine/commit.rs)")
        return 1
    print("one-writer: only the engine writes the store")
    return 0


if __name__ == "__main__":
    sys.exit(main())
