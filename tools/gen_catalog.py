#!/usr/bin/env python3
"""Generate crates/kafkalint-catalog/src/generated.rs from the Kafka reference data.

Usage: python3 tools/gen_catalog.py [--shared ../shared] [--check]

Reads <shared>/data/kafka/{configs-3.6,configs-3.9,configs-4.0,configs-4.1,
removed-in-4.0,topic-overrides}.json and writes compact Rust tables. The data is
never read at runtime and never copied into the repository; only this script
and its output are committed. Output is deterministic so --check can detect drift.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "crates" / "kafkalint-catalog" / "src" / "generated.rs"
OUT_REL = "crates/kafkalint-catalog/src/generated.rs"

# Version order defines the bit of each version in the masks.
VERSIONS = ["3.6", "3.9", "4.0", "4.1"]
# Data group name -> Rust table name. Other groups (admin, streams, connect,
# 4.1 group configs) have no Group variant and are left out to keep the
# module small.
GROUPS = {"broker": "BROKER", "topic": "TOPIC", "producer": "PRODUCER", "consumer": "CONSUMER"}
GROUP_VARIANT = {"broker": "Broker", "topic": "Topic", "producer": "Producer", "consumer": "Consumer"}

TYPES = {
    "boolean": "Boolean",
    "string": "Str",
    "int": "Int",
    "long": "Long",
    "short": "Short",
    "double": "Double",
    "list": "List",
    "class": "Class",
    "password": "Password",
}
IMPORTANCE = {"high": "High", "medium": "Medium", "low": "Low"}
DYNAMIC = {None: "None", "read-only": "RO", "per-broker": "PB", "cluster-wide": "CW"}
VALID_KEYS = {"min", "max", "enum", "case_insensitive", "also_allowed"}

FLAG_DEPRECATED = 1
FLAG_REQUIRED = 2
FLAG_CASE_INSENSITIVE = 4


class DataError(Exception):
    pass


def fail(msg: str) -> None:
    raise DataError(msg)


def load(path: Path):
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        fail(f"missing data file {path}")
    except json.JSONDecodeError as e:
        fail(f"{path}: invalid JSON: {e}")


def rust_str(s: str) -> str:
    """Rust string literal. Names and values are ASCII in practice; escape anyway."""
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\u{{{ord(ch):x}}}")
    return '"' + "".join(out) + '"'


def rust_f64(x) -> str:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        fail(f"expected a number, got {x!r}")
    f = float(x)
    if not math.isfinite(f):
        fail(f"non-finite bound {x!r}")
    r = repr(f)
    if "e" in r or "E" in r:
        mant, exp = r.lower().split("e")
        if "." not in mant:
            mant += ".0"
        return f"{mant}e{int(exp)}"
    return r


def java_double(f: float) -> str:
    """Format like Java's Double.toString for the values the docs use."""
    r = repr(float(f))
    if "e" in r:
        mant, exp = r.split("e")
        if "." not in mant:
            mant += ".0"
        return f"{mant}E{int(exp)}"
    return r


def default_str(entry: dict, where: str):
    """Documented default as the string a properties file would carry."""
    d = entry["default"]
    ty = entry["type"]
    if d is None:
        return None
    if isinstance(d, bool):
        if ty != "boolean":
            fail(f"{where}: bool default on {ty} key")
        return "true" if d else "false"
    if isinstance(d, int):
        return str(d)
    if isinstance(d, float):
        s = java_double(d)
        doc = entry.get("default_doc")
        # default_doc carries the docs' own spelling when it has no annotation.
        if doc is not None and "(" not in doc and doc != s:
            fail(f"{where}: double default {s} differs from documented {doc}")
        return s
    if isinstance(d, str):
        return d
    if isinstance(d, list):
        if ty != "list":
            fail(f"{where}: list default on {ty} key")
        for item in d:
            if not isinstance(item, str) or "," in item:
                fail(f"{where}: list default item {item!r} cannot be joined")
        return ",".join(d)
    fail(f"{where}: unsupported default {d!r}")


class Interner:
    """Shared static arrays for enum value lists, so equal lists are emitted once."""

    def __init__(self) -> None:
        self.ids: dict[tuple, str] = {}

    def get(self, values: tuple) -> str:
        if values not in self.ids:
            self.ids[values] = f"E{len(self.ids)}"
        return self.ids[values]


def valid_expr(entry: dict, where: str, enums: Interner):
    """Returns (valid expression, also_allowed expression, case_insensitive)."""
    v = entry.get("valid")
    if v is None:
        return "ANY", "&[]", False
    if not isinstance(v, dict) or not set(v) <= VALID_KEYS:
        fail(f"{where}: unexpected valid {v!r}")
    ci = bool(v.get("case_insensitive", False))
    also = v.get("also_allowed", [])
    also_expr = "&[" + ", ".join(rust_f64(a) for a in also) + "]"
    if "enum" in v:
        if "min" in v or "max" in v or also:
            fail(f"{where}: enum mixed with range {v!r}")
        vals = v["enum"]
        if not isinstance(vals, list) or not all(isinstance(x, str) for x in vals):
            fail(f"{where}: enum values must be strings: {vals!r}")
        return f"Valid::Enum(&{enums.get(tuple(vals))})", "&[]", ci
    if ci:
        fail(f"{where}: case_insensitive without enum")
    lo = f"Some({rust_f64(v['min'])})" if "min" in v else "None"
    hi = f"Some({rust_f64(v['max'])})" if "max" in v else "None"
    if lo == "None" and hi == "None":
        fail(f"{where}: empty range {v!r}")
    return f"r({lo}, {hi})", also_expr, False


def row_for(entry: dict, group: str, where: str, enums: Interner):
    name = entry.get("name")
    if not isinstance(name, str) or not name or not name.isascii():
        fail(f"{where}: bad name {name!r}")
    ty = TYPES.get(entry.get("type"))
    if ty is None:
        fail(f"{where}: unknown type {entry.get('type')!r}; add a ConfigType variant")
    imp = IMPORTANCE.get(entry.get("importance"))
    if imp is None:
        fail(f"{where}: unknown importance {entry.get('importance')!r}")
    dum = entry.get("dynamic_update_mode")
    if dum not in DYNAMIC:
        fail(f"{where}: unknown dynamic_update_mode {dum!r}")
    if group != "broker" and dum is not None:
        fail(f"{where}: dynamic_update_mode outside broker group")
    default = default_str(entry, where)
    valid, also, ci = valid_expr(entry, where, enums)
    flags = 0
    if entry.get("deprecated"):
        flags |= FLAG_DEPRECATED
    if entry.get("required"):
        flags |= FLAG_REQUIRED
    if ci:
        flags |= FLAG_CASE_INSENSITIVE
    default_expr = "None" if default is None else f"Some({rust_str(default)})"
    # Everything after the name; equal tails across versions share one row.
    tail = f"{ty}, {default_expr}, {valid}, {imp}, {flags}, {DYNAMIC[dum]}, {also}"
    return name, tail


def gen(shared: Path) -> str:
    data_dir = shared / "data" / "kafka"
    if not data_dir.is_dir():
        fail(f"data directory {data_dir} not found (use --shared)")

    enums = Interner()
    # group -> name -> tail -> version mask
    rows: dict[str, dict[str, dict[str, int]]] = {g: {} for g in GROUPS}
    sources: set[str] = set()
    present: dict[tuple[str, str, str], bool] = {}

    for bit, ver in enumerate(VERSIONS):
        doc = load(data_dir / f"configs-{ver}.json")
        if doc.get("kafka_version") != ver:
            fail(f"configs-{ver}.json says kafka_version {doc.get('kafka_version')!r}")
        origin = doc.get("generated_from") or {}
        repo, commit = origin.get("repo"), origin.get("commit")
        paths = origin.get("paths") or []
        if not repo or not commit:
            fail(f"configs-{ver}.json: generated_from lacks repo/commit")
        for g in GROUPS:
            entries = doc.get("groups", {}).get(g)
            if not entries:
                fail(f"configs-{ver}.json: group {g} missing or empty")
            seen = set()
            for i, e in enumerate(entries):
                where = f"configs-{ver}.json {g}[{i}]"
                name, tail = row_for(e, g, where, enums)
                if name in seen:
                    fail(f"{where}: duplicate key {name}")
                seen.add(name)
                present[(ver, g, name)] = True
                by_tail = rows[g].setdefault(name, {})
                by_tail[tail] = by_tail.get(tail, 0) | (1 << bit)
                # Cite only the documents the emitted keys came from.
                doc_files = [e.get("doc_file")] + list(e.get("also_documented_in") or [])
                for f in doc_files:
                    if not f:
                        continue
                    full = [p for p in paths if p == f or p.endswith("/" + f)]
                    if len(full) != 1:
                        fail(f"{where}: cannot resolve doc file {f!r} in generated_from")
                    sources.add(f"{repo}@{commit} {full[0]}")

    # Topic key -> broker key supplying its default.
    ov = load(data_dir / "topic-overrides.json")
    overrides: dict[tuple[str, str, tuple], int] = {}
    for i, o in enumerate(ov.get("topic_overrides") or []):
        where = f"topic-overrides.json topic_overrides[{i}]"
        topic, broker = o.get("topic_config"), o.get("broker_default_property")
        vers = o.get("versions") or []
        if not isinstance(topic, str) or any(v not in VERSIONS for v in vers):
            fail(f"{where}: bad entry {o!r}")
        if broker is None:
            continue
        chain = tuple(o.get("fallback_chain") or [broker])
        if chain[0] != broker:
            fail(f"{where}: fallback_chain does not start with {broker}")
        for v in vers:
            if not present.get((v, "topic", topic)):
                fail(f"{where}: {topic} is not a {v} topic key")
            for b in chain:
                if not present.get((v, "broker", b)):
                    fail(f"{where}: {b} is not a {v} broker key")
        mask = 0
        for v in vers:
            mask |= 1 << VERSIONS.index(v)
        key = (topic, broker, chain)
        overrides[key] = overrides.get(key, 0) | mask
    if not overrides:
        fail("topic-overrides.json: no topic_overrides")

    # Keys removed between 3.9 and 4.0.
    rm = load(data_dir / "removed-in-4.0.json")
    removed = []
    for i, r in enumerate(rm.get("removed_in_4_0") or []):
        where = f"removed-in-4.0.json removed_in_4_0[{i}]"
        g, name = r.get("scope"), r.get("name")
        if g not in GROUPS:
            continue
        if not present.get(("3.9", g, name)) or present.get(("4.0", g, name)):
            fail(f"{where}: {g} {name} is not a 3.9-only key")
        cat = r.get("category")
        if not isinstance(cat, str) or not cat:
            fail(f"{where}: missing category")
        reason = r.get("reason")
        removed.append((name, list(GROUPS).index(g), GROUP_VARIANT[g], cat, reason))
    removed.sort()
    for a, b in zip(removed, removed[1:]):
        if a[:2] == b[:2]:
            fail(f"removed-in-4.0.json: duplicate {a[0]}")
    notes = (rm.get("source") or {}).get("upgrade_notes") or {}
    if notes.get("repo") and notes.get("commit") and notes.get("path"):
        sources.add(f"{notes['repo']}@{notes['commit']} {notes['path']}")
    else:
        fail("removed-in-4.0.json: source.upgrade_notes lacks repo/commit/path")

    return render(rows, enums, overrides, removed, sorted(sources))


def render(rows, enums: Interner, overrides, removed, sources) -> str:
    out = []
    w = out.append
    w(f"// @generated by `python3 tools/gen_catalog.py` from ../shared/data/kafka; do not edit.")
    w("// Regenerate with that command; `--check` reports drift.")
    w("")
    w("use crate::table::{k, r, Entry, TopicDefault, ANY, CW, PB, RO};")
    w("use crate::ConfigType::{Boolean, Class, Double, Int, List, Long, Password, Short, String as Str};")
    w("use crate::Group::{Broker, Consumer, Producer, Topic};")
    w("use crate::Importance::{High, Low, Medium};")
    w("use crate::{RemovedKey, Valid};")
    w("")
    w("#[rustfmt::skip]")
    w("pub(crate) const SOURCES: &[&str] = &[")
    for s in sources:
        w(f"    {rust_str(s)},")
    w("];")
    w("")
    # Bodies first so enum ids are assigned before their arrays are written.
    bodies = []
    for g, table in GROUPS.items():
        lines = [
            "#[rustfmt::skip]",
            f"pub(crate) static {table}: &[Entry] = &[",
        ]
        for name in sorted(rows[g], key=lambda n: n.encode()):
            variants = sorted(rows[g][name].items(), key=lambda kv: (kv[1] & -kv[1], kv[0]))
            for tail, mask in variants:
                lines.append(f"    k({mask:#06b}, {rust_str(name)}, {tail}),")
        lines.append("];")
        bodies.append("\n".join(lines))
    for values, ident in sorted(enums.ids.items(), key=lambda kv: int(kv[1][1:])):
        w("#[rustfmt::skip]")
        items = ", ".join(rust_str(v) for v in values)
        w(f"static {ident}: [&str; {len(values)}] = [{items}];")
    w("")
    for b in bodies:
        w(b)
        w("")
    w("#[rustfmt::skip]")
    w("pub(crate) static TOPIC_DEFAULTS: &[TopicDefault] = &[")
    for (topic, broker, chain), mask in sorted(overrides.items(), key=lambda kv: (kv[0][0].encode(), kv[1])):
        ch = ", ".join(rust_str(c) for c in chain)
        w(f"    TopicDefault {{ versions: {mask:#06b}, topic: {rust_str(topic)}, broker: {rust_str(broker)}, chain: &[{ch}] }},")
    w("];")
    w("")
    w("#[rustfmt::skip]")
    w("pub(crate) static REMOVED_IN_4_0: &[RemovedKey] = &[")
    for name, _, variant, cat, reason in removed:
        rs = "None" if reason is None else f"Some({rust_str(reason)})"
        w(f"    RemovedKey {{ name: {rust_str(name)}, group: {variant}, category: {rust_str(cat)}, reason: {rs} }},")
    w("];")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Generate the kafkalint-catalog tables.")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                    help="directory holding data/kafka (default: <repo>/../shared)")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if the committed file differs from what would be written")
    args = ap.parse_args(argv)
    try:
        text = gen(args.shared)
    except DataError as e:
        print(f"gen_catalog: {e}", file=sys.stderr)
        return 2
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else None
        if current != text:
            why = "is missing" if current is None else "is out of date with the data"
            print(f"gen_catalog: {OUT_REL} {why}; run `python3 tools/gen_catalog.py` "
                  f"and commit the result", file=sys.stderr)
            return 1
        print(f"gen_catalog: {OUT_REL} is up to date")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"gen_catalog: wrote {OUT_REL} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
