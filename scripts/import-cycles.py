#!/usr/bin/env python3
"""Finds import circles between the files of each Rust crate in the workspace.

Every `crate::…`, `super::…` and `self::…` path in a file (in `use` items and inline) is resolved to
the file that defines the deepest module it names; `mod x;` declarations are not imports. A circle
of files (a strongly connected component of that graph) larger than LIMIT files fails: the layering
of a crate is meant to point one way, and two files that need each other are the most it allows.

Usage: scripts/import-cycles.py [--limit N] [--verbose] [CRATE_SRC_DIR ...]
(without directories: every crates/*/src, src-tauri/src and tests/).
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PATH_RE = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_RE = re.compile(r"\buse\s+([^;]*);", re.S)
PUB_USE_RE = re.compile(r"\bpub(?:\([^)]*\))?\s+$")
COMMENT_RE = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
MOD_RE = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+([A-Za-z_][A-Za-z0-9_]*)\s*;", re.M)
TEST_MOD_RE = re.compile(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{")
STRING_RE = re.compile(r'"(?:\\.|[^"\\])*"')


def module_of(src: Path, file: Path) -> tuple:
    rel = file.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def expand_use(tree: str, bindings: bool = False) -> list:
    """`a::{b, c::{d, e as f}}` → ['a::b', 'a::c::d', 'a::c::e']; with `bindings`, the names the
    item binds instead (['b', 'd', 'f'])."""
    tree = re.sub(r"\s+", "", re.sub(r"\s+as\s+", "@", tree))
    out = []

    def walk(prefix: str, text: str):
        depth = 0
        start = 0
        items = []
        for i, ch in enumerate(text):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                items.append(text[start:i])
                start = i + 1
        items.append(text[start:])
        for item in items:
            if not item:
                continue
            brace = item.find("{")
            if brace >= 0 and item.endswith("}"):
                walk(prefix + item[:brace], item[brace + 1 : -1])
            else:
                path, _, alias = item.partition("@")
                out.append(alias or path.split("::")[-1] if bindings else prefix + path)

    walk("", tree)
    return out


def without_tests(text):
    """A file's inline `#[cfg(test)] mod … { }` is its own test code, not part of the layering."""
    m = TEST_MOD_RE.search(text)
    if m is None:
        return text
    depth = 0
    for i in range(m.end() - 1, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[: m.start()] + without_tests(text[i + 1 :])
    return text[: m.start()]


def resolve(root, parts, here):
    if root == "crate":
        segments = []
    elif root == "self":
        segments = list(here)
    else:
        segments = list(here[:-1])
    for p in parts:
        if p == "super":
            segments = segments[:-1]
        elif p in ("self", "*", ""):
            continue
        else:
            segments.append(p)
    return segments


def paths_in(text, here, children):
    """Every module path the file names, as (segments, is_reexport)."""
    found = []
    for m in USE_RE.finditer(text):
        public = PUB_USE_RE.search(text[max(0, m.start() - 24) : m.start()]) is not None
        for p in expand_use(m.group(1)):
            parts = p.split("::")
            if parts[0] in ("crate", "super", "self"):
                found.append((resolve(parts[0], parts[1:], here), public))
            elif parts[0] in children:
                found.append((resolve("self", parts, here), public))
    rest = USE_RE.sub("", text)
    for m in PATH_RE.finditer(rest):
        found.append((resolve(m.group(1), m.group(2).strip(":").split("::"), here), False))
    if children:
        child_re = re.compile(
            r"(?<![:\w])(" + "|".join(sorted(children)) + r")((?:::[A-Za-z_][A-Za-z0-9_]*)+)"
        )
        for m in child_re.finditer(rest):
            parts = [m.group(1)] + m.group(2).strip(":").split("::")
            found.append((resolve("self", parts, here), False))
    return found


def graph_of(src: Path):
    files = sorted(src.rglob("*.rs"))
    modules = {module_of(src, f): f for f in files}
    texts = {f: without_tests(STRING_RE.sub('""', COMMENT_RE.sub("", f.read_text()))) for f in files}
    found = {}
    # A module's `pub use child::Item;` is its façade, not a need of its own: a path through the
    # façade is resolved to the file that defines the item.
    reexports = {}
    for f in files:
        here = module_of(src, f)
        found[f] = paths_in(texts[f], here, set(MOD_RE.findall(texts[f])))
        for segments, public in found[f]:
            if public and segments:
                reexports[here + (segments[-1],)] = tuple(segments)

    # Names the crate root imports from other crates (`use citywall_engine::{api, store};`): a
    # `crate::api::…` path then leaves the crate and is no edge.
    root_text = texts.get(modules.get(()), "")
    external = set()
    children = set(MOD_RE.findall(root_text))
    for m in USE_RE.finditer(root_text):
        paths = expand_use(m.group(1))
        for p, name in zip(paths, expand_use(m.group(1), bindings=True)):
            first = p.split("::")[0]
            if first not in ("crate", "self", "super") and first not in children:
                external.add(name)

    def target_of(segments):
        seen = 0
        segments = tuple(segments)
        if segments and segments[0] in external and segments[:1] not in modules:
            return None
        while segments in reexports and seen < 8:
            segments = reexports[segments]
            seen += 1
        for n in range(len(segments), -1, -1):
            target = modules.get(segments[:n])
            if target is not None:
                key = segments[: n + 1]
                if key in reexports and key != segments and seen < 8:
                    return target_of(reexports[key] + segments[n + 1 :])
                return target
        return None

    edges = {f: set() for f in files}
    for f in files:
        for segments, public in found[f]:
            if public:
                continue
            target = target_of(segments)
            if target is not None and target != f:
                edges[f].add(target)
    return edges


def strongly_connected(edges):
    index = {}
    low = {}
    on_stack = set()
    stack = []
    out = []
    counter = [0]

    def visit(v):
        # Iterative Tarjan: deep module trees would exceed Python's recursion limit.
        work = [(v, iter(sorted(edges[v])))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                    advanced = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == node:
                        break
                out.append(component)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def shown(path: Path) -> str:
    """A path as the report names it: from the repository root when it lies inside."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv):
    limit = 2
    verbose = False
    dirs = []
    args = iter(argv)
    for a in args:
        if a == "--limit":
            limit = int(next(args))
        elif a == "--verbose":
            verbose = True
        else:
            dirs.append(Path(a))
    if not dirs:
        dirs = sorted((ROOT / "crates").glob("*/src")) + [ROOT / "src-tauri/src"]
    failed = False
    for src in dirs:
        edges = graph_of(src)
        for component in strongly_connected(edges):
            if len(component) <= limit:
                continue
            failed = True
            names = sorted(shown(f) for f in component)
            print(f"import circle of {len(names)} files in {shown(src)}:")
            for n in names:
                print(f"  {n}")
            if verbose:
                members = set(component)
                for f in sorted(component):
                    for t in sorted(edges[f] & members):
                        print(f"    {f.relative_to(src)} -> {t.relative_to(src)}")
    if failed:
        print(f"import-cycles: circles of more than {limit} files (see above)")
        return 1
    print(f"import-cycles: no circle of more than {limit} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
