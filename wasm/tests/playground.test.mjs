// The playground in headless Chromium (Debian's, driven by playwright-core): served by a local
// static server, it loads the WebAssembly build, lints the seed examples, lists the expected
// diagnostics with working line links, and shows the memory budget. A screenshot is kept.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import test from "node:test";

import { repo } from "./common.mjs";

const playwright = process.env.PLAYWRIGHT_CORE ?? join(repo, ".cache/tools/playwright/node_modules/playwright-core");
const { chromium } = createRequire(import.meta.url)(playwright);
const screenshot = join(repo, "target/wasm-playground.png");

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm", ".css": "text/css" };

/** Static files under wasm/, nothing else: the playground has no server side. */
function serve(root) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = join(root, path);
    if (!file.startsWith(root + sep)) return res.writeHead(403).end();
    try {
      if (!statSync(file).isFile()) throw new Error("not a file");
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

test("the playground lints examples in the browser", async () => {
  const server = await serve(join(repo, "wasm"));
  const profile = mkdtempSync(join(tmpdir(), "kafkalint-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1400, height: 1000 },
  });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const base = `http://127.0.0.1:${server.address().port}/playground/index.html`;
    await page.goto(`${base}?example=forex-stg/before`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });

    // The seed OOM: unbounded direct memory and a budget over the 5Gi limit, at the env-file line.
    const rules = await page.$$eval("#diagnostics li", (items) => items.map((li) => `${li.dataset.file}:${li.dataset.line} ${li.dataset.rule}`));
    for (const expected of ["env/forex.env:3 MEM001", "env/forex.env:3 MEM002", "statefulset.yml:71 STO001", "statefulset.yml:65 MEM005"]) {
      assert.ok(rules.includes(expected), `${expected} in ${rules.join(", ")}`);
    }
    assert.match(await page.textContent("#summary"), /^10 error\(s\), 1 warning\(s\)/);

    // The memory budget: every term, the total and the margin.
    const terms = await page.$$eval("#memory table.budget tr td:first-child", (tds) => tds.map((td) => td.textContent));
    for (const t of ["heap", "direct", "metaspace", "total", "limit", "margin"]) assert.ok(terms.includes(t), `${t} in ${terms}`);
    assert.match(await page.textContent("#memory"), /8869/);

    // A line link opens the file and selects the line.
    await page.click('#diagnostics li[data-rule="MEM002"] a');
    const selected = await page.evaluate(() => {
      const e = document.getElementById("editor");
      return e.value.slice(e.selectionStart, e.selectionEnd);
    });
    assert.match(selected, /Xmx4096m/);
    assert.equal(await page.textContent('#files button[aria-pressed="true"]'), "env/forex.env");

    // Editing re-lints: bound direct memory and MEM001 goes away.
    const linted = Number(await page.getAttribute("body", "data-linted"));
    const text = await page.inputValue("#editor");
    await page.fill("#editor", text.replace("-Xmx4096m", "-Xmx4096m -XX:MaxDirectMemorySize=256m"));
    await page.click("#lint");
    await page.waitForFunction((n) => Number(document.body.dataset.linted) > n, linted);
    const after = await page.$$eval("#diagnostics li", (items) => items.map((li) => li.dataset.rule));
    assert.ok(!after.includes("MEM001"), after.join(", "));

    // Another seed scenario from the picker.
    await page.selectOption("#example", "ticketmaster");
    await page.waitForSelector('#diagnostics li[data-rule="TOP001"]');
    const ticketmaster = await page.$$eval("#diagnostics li", (items) => items.map((li) => li.dataset.rule));
    for (const r of ["MEM001", "TOP001", "TOP002", "TOP003", "CFG006"]) assert.ok(ticketmaster.includes(r), `${r} in ${ticketmaster}`);

    await page.selectOption("#example", "forex-stg/before");
    await page.waitForSelector('#diagnostics li[data-rule="MEM002"]');
    mkdirSync(join(repo, "target"), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok(statSync(screenshot).size > 10000);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
