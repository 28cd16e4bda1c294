// What the Node tests share: the built package, the native CLI, and trees read as the CLI
// reads them.
import { spawnSync } from "node:child_process";
import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const kafkalint = createRequire(import.meta.url)(join(repo, "wasm/pkg/node/index.cjs"));
export const cli = process.env.KAFKALINT_BIN ?? join(repo, "target/debug/kafkalint");

/** Run the native CLI; its stdout whatever the exit code (1 means findings). */
export function native(args, cwd) {
  const r = spawnSync(cli, args, { cwd, encoding: "utf8", maxBuffer: 256 << 20, env: { ...process.env, NO_COLOR: "1" } });
  if (r.error) throw r.error;
  if (![0, 1, 2].includes(r.status)) throw new Error(`${cli} ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Every file under `dir` as bytes, keyed by its path relative to `dir`. Directory symlinks are
 * not followed (the CLI does not walk them); file symlinks are read through. */
export function tree(dir) {
  const files = {};
  const visit = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) visit(p);
      else if (st.isFile() || (st.isSymbolicLink() && isFile(p))) files[relative(dir, p).split("\\").join("/")] = readFileSync(p);
    }
  };
  visit(dir);
  return files;
}

function isFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Directories under `dir` (itself included), not descending into hidden ones. */
export function directories(dir) {
  const out = [dir];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (!name.startsWith(".") && lstatSync(p).isDirectory()) out.push(...directories(p));
  }
  return out;
}

/** Where two texts first differ, for a readable failure. */
export function firstDifference(a, b) {
  const la = a.split("\n");
  const lb = b.split("\n");
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  native: ${la[i]}\n  wasm:   ${lb[i]}`;
  }
  return "identical";
}
