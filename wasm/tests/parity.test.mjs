// The WebAssembly build gives the CLI's bytes: `lint` equals `kafkalint lint -f json` over every
// example, rule fixture and the public corpus (each directory, and each file alone), `memory`
// equals `kafkalint memory -f json`, `rules`/`rule` equal `kafkalint rules -f json`/`rule`.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import test from "node:test";

import { directories, firstDifference, kafkalint, native, repo, tree } from "./common.mjs";

const corpus = join(repo, "../shared/corpus/public");
const counts = {};

function record(group, ok) {
  counts[group] ??= { compared: 0, mismatches: 0 };
  counts[group].compared++;
  if (!ok) counts[group].mismatches++;
}

/** Lint in wasm; a thrown usage error stands for the CLI's exit 2 with nothing on stdout. */
function wasmLint(files, paths, policy) {
  try {
    return kafkalint.lint(files, policy, { paths });
  } catch (e) {
    if (/^no input|No such file/.test(String(e.message))) return "";
    throw e;
  }
}

/** Compare, from `root` as the working directory, `root` and every directory under it, and
 * every file alone: the CLI given that path, and wasm given the whole tree and that path. */
function compareTree(group, root) {
  const files = tree(root);
  const failures = [];
  const check = (kind, rel) => {
    const expected = native(["lint", "-f", "json", rel], root).stdout;
    const actual = wasmLint(files, [rel]);
    record(`${group} ${kind}`, expected === actual);
    if (expected !== actual) failures.push(`${rel}: ${firstDifference(expected, actual)}`);
  };
  for (const dir of directories(root)) check("directories", relative(root, dir) || ".");
  for (const rel of Object.keys(files).sort()) check("files", rel);
  assert.deepEqual(failures, [], `${failures.length} mismatch(es):\n${failures.slice(0, 10).join("\n")}`);
}

test("examples", () => compareTree("examples", join(repo, "examples")));

test("rule fixtures", () => compareTree("fixtures", join(repo, "crates/kafkalint-rules/fixtures")));

test("public corpus", { skip: !existsSync(corpus) && "../shared/corpus/public is not beside the repository" }, () =>
  compareTree("corpus", corpus));

test("memory budgets of the examples", () => {
  const root = join(repo, "examples");
  const files = tree(root);
  for (const dir of directories(root)) {
    const rel = relative(root, dir) || ".";
    const expected = native(["memory", "-f", "json", rel], root).stdout;
    const actual = kafkalint.memory(files, null, { paths: [rel] });
    record("memory", expected === actual);
    assert.equal(actual, expected, `${rel}: ${firstDifference(expected, actual)}`);
  }
});

test("policies: packs, a discovered .kafkalint.yaml, inline YAML", () => {
  const dir = mkdtempSync(join(tmpdir(), "kafkalint-wasm-policy-"));
  try {
    const before = join(repo, "examples/forex-stg/before");
    for (const [name, bytes] of Object.entries(tree(before))) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    for (const pack of ["default", "production", "development"]) {
      const expected = native(["lint", "-f", "json", "--policy", pack, "."], dir).stdout;
      assert.equal(kafkalint.lint(tree(dir), pack), expected, pack);
      record("policies", true);
    }
    writeFileSync(
      join(dir, ".kafkalint.yaml"),
      "extends: development\nrules:\n  MEM001: { severity: warning }\nexemptions:\n  - rules: [STO001]\n    reason: scratch data\n",
    );
    const expected = native(["lint", "-f", "json", "."], dir).stdout;
    const actual = kafkalint.lint(tree(dir));
    assert.equal(actual, expected, firstDifference(expected, actual));
    record("policies", true);
    assert.match(actual, /"severity": "warning"/);
    assert.throws(() => kafkalint.lint(tree(dir), "rules:\n  NOPE: { enabled: false }\n"), /selects no rule/);
    assert.throws(() => kafkalint.lint(tree(dir), "strict"), /not a pack/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("rules and rule docs", () => {
  const expected = native(["rules", "-f", "json", "--isolated"], repo).stdout;
  assert.equal(kafkalint.rules(), expected);
  record("rules", true);
  for (const r of JSON.parse(expected)) {
    const doc = native(["rule", r.code, "--isolated"], repo).stdout;
    const got = JSON.parse(kafkalint.rule(r.code));
    assert.equal(got.doc, doc, r.code);
    assert.equal(got.summary, r.summary, r.code);
    record("rule docs", true);
  }
  assert.throws(() => kafkalint.rule("NOPE999"), /unknown rule/);
});

test("UTF-16 columns for editors", () => {
  // Two characters outside the BMP before the value: 2 characters, 4 UTF-16 code units.
  const text = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: kafka\nspec:\n  template:\n    spec:\n      containers:\n        - name: kafka\n          image: bitnami/kafka:3.9\n          env:\n            - { name: KAFKA_HEAP_OPTS, value: \"\u{1F600}\u{1F600} -Xmx2g\" }\n";
  const plain = JSON.parse(kafkalint.lint({ "s.yaml": text }));
  const editor = JSON.parse(kafkalint.lint({ "s.yaml": text }, null, { utf16Columns: true }));
  assert.equal(editor.diagnostics.length, plain.diagnostics.length);
  assert.ok(editor.diagnostics.length > 0);
  for (const [p, e] of plain.diagnostics.map((d, i) => [d, editor.diagnostics[i]])) {
    assert.equal(e.column, p.column);
    const line = text.split("\n")[p.line - 1];
    const chars = Array.from(line).slice(0, p.column - 1).join("");
    assert.equal(e.utf16_column, chars.length + 1, `${p.rule} at ${p.line}:${p.column}`);
    assert.equal("utf16_column" in p, false);
  }
  assert.ok(editor.diagnostics.some((d) => d.utf16_column !== d.column), "a finding after the emoji");
});

test.after(() => {
  const total = Object.values(counts).reduce((a, c) => ({ compared: a.compared + c.compared, mismatches: a.mismatches + c.mismatches }), { compared: 0, mismatches: 0 });
  for (const [group, c] of Object.entries(counts)) console.log(`parity ${group}: ${c.compared} compared, ${c.mismatches} mismatched`);
  console.log(`parity total: ${total.compared} compared, ${total.mismatches} mismatched`);
});
