// The playground: files in a textarea, kafkalint (WebAssembly) in the page, no server side.
import init, { lint, memory, version } from "../pkg/web/index.js";

const $ = (id) => document.getElementById(id);
const state = { files: {}, current: null, scenarios: [] };

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

function showFiles() {
  const bar = $("files");
  bar.replaceChildren();
  for (const path of Object.keys(state.files)) {
    const b = el("button", { type: "button", textContent: path });
    b.setAttribute("aria-pressed", String(path === state.current));
    b.addEventListener("click", () => openFile(path));
    bar.append(b);
  }
}

function openFile(path) {
  state.current = path;
  $("editor").value = state.files[path] ?? "";
  showFiles();
}

// Select line:column in the textarea; columns are UTF-16 code units, as textarea offsets are.
function reveal(path, line, column) {
  openFile(path);
  const editor = $("editor");
  const lines = editor.value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  const start = offset + Math.max(0, column - 1);
  const end = offset + (lines[line - 1]?.length ?? 0);
  editor.focus();
  editor.setSelectionRange(start, end);
  const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 18;
  editor.scrollTop = Math.max(0, (line - 5) * lineHeight);
}

function showDiagnostics(report) {
  const s = report.summary;
  $("summary").textContent =
    `${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} info(s) in ${s.files} file(s), ${s.resources} resource(s)`;
  const list = $("diagnostics");
  list.replaceChildren();
  for (const d of report.diagnostics) {
    const where = `${d.file}:${d.line}:${d.column}`;
    const link = el("a", { href: `#${encodeURIComponent(where)}`, textContent: where });
    link.addEventListener("click", (ev) => {
      ev.preventDefault();
      if (d.file in state.files) reveal(d.file, d.line, d.utf16_column ?? d.column);
    });
    const item = el(
      "li",
      { class: d.severity, "data-rule": d.rule, "data-file": d.file, "data-line": String(d.line) },
      link,
      " ",
      el("span", { class: "code", textContent: `${d.severity}[${d.rule}]` }),
      " ",
      el("span", { class: "message", textContent: d.message }),
    );
    if (d.help) item.append(el("div", { class: "help", textContent: d.help }));
    list.append(item);
  }
}

function showMemory(report) {
  const box = $("memory");
  box.replaceChildren();
  if (report.brokers.length === 0) {
    box.append(el("p", { textContent: "No broker workloads found." }));
    return;
  }
  for (const b of report.brokers) {
    box.append(el("h3", { textContent: `${b.name} (${b.file}:${b.line})` }));
    if (b.status !== "budget") {
      box.append(el("p", { textContent: `No budget: ${b.reason}` }));
      continue;
    }
    const table = el("table", { class: "budget", "data-broker": b.name });
    table.append(el("tr", {}, el("th", { textContent: "term" }), el("th", { textContent: "MiB" }), el("th", { textContent: "source" })));
    const row = (name, mib, source, cls = "") =>
      el("tr", { class: cls }, el("td", { textContent: name }), el("td", { class: "num", textContent: String(mib) }), el("td", { textContent: source }));
    for (const t of b.terms) {
      const at = t.file ? ` at ${t.file}:${t.line}:${t.column}` : "";
      table.append(row(t.name, t.mib, `${t.source}: ${t.detail}${at}`));
    }
    table.append(row("total", b.total_mib, ""));
    table.append(row("limit", b.limit.mib, `${b.limit.text} at ${b.limit.file}:${b.limit.line}`));
    table.append(row("margin", `${b.margin_percent}%`, b.verdict, `verdict-${b.verdict}`));
    box.append(table);
    if (b.changes.length > 0) {
      box.append(el("p", { textContent: `To leave ${b.target_margin_percent}%, one of:` }));
      box.append(el("ul", {}, ...b.changes.map((c) => el("li", { textContent: c.text }))));
    }
  }
}

function run() {
  if (state.current !== null) state.files[state.current] = $("editor").value;
  const policy = $("policy").value;
  $("error").textContent = "";
  try {
    showDiagnostics(JSON.parse(lint(state.files, policy, { utf16Columns: true })));
    showMemory(JSON.parse(memory(state.files, policy)));
  } catch (e) {
    $("diagnostics").replaceChildren();
    $("memory").replaceChildren();
    $("summary").textContent = "";
    $("error").textContent = String(e.message ?? e);
  }
  document.body.dataset.linted = String(Number(document.body.dataset.linted ?? 0) + 1);
}

function loadScenario(name) {
  const s = state.scenarios.find((x) => x.name === name);
  state.files = { ...(s?.files ?? { "statefulset.yaml": "" }) };
  openFile(Object.keys(state.files)[0] ?? null);
  run();
}

async function main() {
  await init();
  $("version").textContent = `kafkalint ${version()}`;
  state.scenarios = await (await fetch("../pkg/examples.json")).json();
  const picker = $("example");
  for (const s of state.scenarios) picker.append(el("option", { value: s.name, textContent: s.name }));
  const initial = new URLSearchParams(location.search).get("example") ?? "forex-stg/before";
  if (state.scenarios.some((s) => s.name === initial)) picker.value = initial;
  picker.addEventListener("change", () => loadScenario(picker.value));
  $("policy").addEventListener("change", run);
  $("lint").addEventListener("click", run);
  let timer;
  $("editor").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 300);
  });
  loadScenario(picker.value);
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  $("error").textContent = `could not load kafkalint: ${e.message ?? e}`;
});
