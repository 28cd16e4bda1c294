// Print the seed scenarios under a directory (examples/) as JSON for the playground's picker:
// [{ "name": "forex-stg/before", "files": { "statefulset.yml": "...", ... } }, ...].
// A directory is one scenario; one whose subdirectories each hold a kustomization gives one
// scenario per subdirectory (forex-stg/before and forex-stg/after). Policy packs are skipped.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = process.argv[2] ?? "examples";

function filesUnder(dir) {
  const out = {};
  const visit = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else out[relative(dir, p).split("\\").join("/")] = readFileSync(p, "utf8");
    }
  };
  visit(dir);
  return out;
}

const isKustomization = (d) =>
  ["kustomization.yaml", "kustomization.yml", "Kustomization"].some((n) => {
    try {
      return statSync(join(d, n)).isFile();
    } catch {
      return false;
    }
  });

const scenarios = [];
for (const name of readdirSync(root).sort()) {
  const dir = join(root, name);
  if (!statSync(dir).isDirectory() || name === "policies") continue;
  const subdirs = readdirSync(dir)
    .sort()
    .map((s) => join(dir, s))
    .filter((p) => statSync(p).isDirectory());
  if (subdirs.length > 0 && subdirs.every(isKustomization)) {
    for (const sub of subdirs) scenarios.push({ name: relative(root, sub), files: filesUnder(sub) });
  } else {
    scenarios.push({ name, files: filesUnder(dir) });
  }
}
process.stdout.write(JSON.stringify(scenarios, null, 1) + "\n");
