#!/usr/bin/env node
// kafkalint's validating admission webhook on Node: an HTTPS AdmissionReview server around the
// WebAssembly `Admission.review`, with the flags, endpoints and answers of `kafkalint-webhook`.
//
//   node wasm/host/webhook.mjs --tls-cert tls.crt --tls-key tls.key [--policy PACK|FILE]
//        [--listen 0.0.0.0:8443] [--exempt-namespace NS]... [--warn-only] [--deny-existing]
//        [--request-timeout 10s] [--reload-interval 10s] [--shutdown-delay 5s] [--drain-timeout 15s]
//
// POST /validate (admission.k8s.io/v1), GET /healthz, GET /readyz, GET /metrics (Prometheus).
// Certificate, key and policy files are re-read when their contents change; new connections get
// the new certificate. SIGTERM: /readyz fails, then listening stops, then requests drain.
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The most the API server sends in one AdmissionReview. */
export const BODY_LIMIT = 3 * 1024 * 1024;
const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];
const RESULTS = ["allowed", "warned", "denied", "skipped", "invalid", "too_large", "error"];
const PACKS = ["default", "production", "development"];

const USAGE = `usage: webhook.mjs --tls-cert FILE --tls-key FILE [--policy PACK|FILE] [--listen ADDR]
  [--exempt-namespace NS]... [--warn-only] [--deny-existing] [--request-timeout 10s]
  [--reload-interval 10s] [--shutdown-delay 5s] [--drain-timeout 15s] [--max-body-size 3145728]`;

/** `250ms`, `10s`, `2m`, or plain seconds; in milliseconds. */
export function parseDuration(s) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(s).trim());
  if (!m) throw new Error(`expected a duration such as 10s or 250ms, got ${JSON.stringify(s)}`);
  const n = Number(m[1]);
  return { ms: n, s: n * 1000, m: n * 60000 }[m[2] ?? "s"];
}

export function parseArgs(argv) {
  const config = {
    listen: "0.0.0.0:8443",
    policy: "default",
    exemptNamespaces: [],
    warnOnly: false,
    denyExisting: false,
    requestTimeout: 10000,
    reloadInterval: 10000,
    shutdownDelay: 5000,
    drainTimeout: 15000,
    maxBodySize: BODY_LIMIT,
  };
  const durations = { "--request-timeout": "requestTimeout", "--reload-interval": "reloadInterval", "--shutdown-delay": "shutdownDelay", "--drain-timeout": "drainTimeout" };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (flag === "--listen") config.listen = value();
    else if (flag === "--tls-cert") config.tlsCert = value();
    else if (flag === "--tls-key") config.tlsKey = value();
    else if (flag === "--policy") config.policy = value();
    else if (flag === "--exempt-namespace") config.exemptNamespaces.push(value());
    else if (flag === "--warn-only") config.warnOnly = true;
    else if (flag === "--deny-existing") config.denyExisting = true;
    else if (flag in durations) config[durations[flag]] = parseDuration(value());
    else if (flag === "--max-body-size") {
      const raw = value();
      if (!/^[0-9]+$/.test(raw)) throw new Error(`--max-body-size: expected a number of bytes, got ${raw}`);
      config.maxBodySize = Number(raw);
    }
    else if (flag === "--help" || flag === "-h") throw new Error(USAGE);
    else throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
  }
  if (!config.tlsCert || !config.tlsKey) throw new Error(`--tls-cert and --tls-key are required\n${USAGE}`);
  return config;
}

/** The policy text: a pack name is passed as is, a file is read. */
function policyText(spec) {
  try {
    return { text: readFileSync(spec, "utf8"), file: spec };
  } catch (e) {
    if (e.code === "ENOENT" && PACKS.includes(spec)) return { text: spec, file: null };
    if (e.code === "ENOENT") throw new Error(`--policy ${spec}: no such file, and not a pack (${PACKS.join(", ")})`);
    throw new Error(`policy ${spec}: ${e.message}`);
  }
}

class Metrics {
  constructor() {
    this.results = Object.fromEntries(RESULTS.map((r) => [r, 0]));
    this.buckets = BUCKETS.map(() => 0);
    this.count = 0;
    this.sum = 0;
    this.findings = new Map();
    this.skipped = new Map();
    this.tlsReloads = 0;
    this.policyReloads = 0;
    this.reloadErrors = 0;
  }

  result(r) {
    if (r in this.results) this.results[r]++;
  }

  latency(seconds) {
    const i = BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) this.buckets[i]++;
    this.count++;
    this.sum += seconds;
  }

  review(detail) {
    this.result(detail.verdict);
    if (detail.skipped) this.skipped.set(detail.skipped, (this.skipped.get(detail.skipped) ?? 0) + 1);
    for (const f of detail.findings) {
      const key = `${f.code}\u0000${f.severity}`;
      this.findings.set(key, (this.findings.get(key) ?? 0) + 1);
    }
  }

  render() {
    const out = [];
    out.push("# HELP kafkalint_webhook_requests_total AdmissionReview requests on /validate, by result.");
    out.push("# TYPE kafkalint_webhook_requests_total counter");
    for (const r of RESULTS) out.push(`kafkalint_webhook_requests_total{result="${r}"} ${this.results[r]}`);
    out.push("# HELP kafkalint_webhook_skipped_total Requests admitted without linting, by reason.");
    out.push("# TYPE kafkalint_webhook_skipped_total counter");
    for (const [why, n] of [...this.skipped].sort()) out.push(`kafkalint_webhook_skipped_total{reason="${why}"} ${n}`);
    out.push("# HELP kafkalint_webhook_request_duration_seconds Time to judge one AdmissionReview, body read to response.");
    out.push("# TYPE kafkalint_webhook_request_duration_seconds histogram");
    let cumulative = 0;
    BUCKETS.forEach((le, i) => {
      cumulative += this.buckets[i];
      out.push(`kafkalint_webhook_request_duration_seconds_bucket{le="${le}"} ${cumulative}`);
    });
    out.push(`kafkalint_webhook_request_duration_seconds_bucket{le="+Inf"} ${this.count}`);
    out.push(`kafkalint_webhook_request_duration_seconds_sum ${this.sum}`);
    out.push(`kafkalint_webhook_request_duration_seconds_count ${this.count}`);
    out.push("# HELP kafkalint_webhook_findings_total Findings reported at admission, by rule and severity.");
    out.push("# TYPE kafkalint_webhook_findings_total counter");
    for (const [key, n] of [...this.findings].sort()) {
      const [rule, severity] = key.split("\u0000");
      out.push(`kafkalint_webhook_findings_total{rule="${rule.replace(/[\\"\n]/g, "_")}",severity="${severity}"} ${n}`);
    }
    for (const [name, help, n] of [
      ["kafkalint_webhook_tls_reloads_total", "Serving certificates taken from changed files.", this.tlsReloads],
      ["kafkalint_webhook_policy_reloads_total", "Policies taken from a changed --policy file.", this.policyReloads],
      ["kafkalint_webhook_reload_errors_total", "Changed certificate or policy files that could not be used (the old ones stay).", this.reloadErrors],
    ]) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${n}`);
    }
    return out.join("\n") + "\n";
  }
}

/** Load the wasm-bindgen package (Node build). */
export function loadKafkalint(path = process.env.KAFKALINT_WASM) {
  const entry = path ?? fileURLToPath(new URL("../pkg/node/index.cjs", import.meta.url));
  return createRequire(import.meta.url)(entry);
}

/** Start serving; resolves once listening. `server.address()` tells the port (0 picks one). */
export async function start(config, kafkalint = loadKafkalint()) {
  const metrics = new Metrics();
  const limit = config.maxBodySize ?? BODY_LIMIT;
  const options = { exemptNamespaces: config.exemptNamespaces, warnOnly: config.warnOnly, denyExisting: config.denyExisting };
  const policy = policyText(config.policy);
  let admission = new kafkalint.Admission(policy.text, options);
  let cert = readFileSync(config.tlsCert);
  let key = readFileSync(config.tlsKey);
  let ready = true;

  const send = (res, status, body, type = "text/plain; charset=utf-8") => {
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };

  const validate = (req, res) => {
    const started = process.hrtime.bigint();
    const declared = Number(req.headers["content-length"] ?? 0);
    const tooLarge = () => {
      metrics.result("too_large");
      res.setHeader("connection", "close");
      send(res, 413, `length limit exceeded: AdmissionReview bodies are at most ${limit} bytes\n`);
      req.resume();
    };
    if (declared > limit) return tooLarge();
    const chunks = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (refused) return;
      try {
        const detail = JSON.parse(admission.reviewDetailed(Buffer.concat(chunks)));
        metrics.review(detail);
        if (detail.verdict === "denied") {
          const rules = detail.findings.filter((f) => f.severity === "error" && !f.existing).map((f) => f.code);
          console.error(JSON.stringify({ event: "denied", uid: detail.review.response.uid, rules }));
        }
        send(res, 200, JSON.stringify(detail.review), "application/json");
      } catch (e) {
        metrics.result("invalid");
        send(res, 400, `${e.message}\n`);
      }
      metrics.latency(Number(process.hrtime.bigint() - started) / 1e9);
    });
  };

  // Node checks request timeouts on this interval (30 s by default), so it bounds their precision.
  const connectionsCheckingInterval = Math.max(100, Math.min(1000, config.requestTimeout / 4));
  const server = createServer({ cert, key, connectionsCheckingInterval }, (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/validate") {
      if (req.method !== "POST") return send(res, 405, "use POST\n");
      return validate(req, res);
    }
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "use GET\n");
    if (path === "/healthz") return send(res, 200, "ok\n");
    if (path === "/readyz") return ready ? send(res, 200, "ok\n") : send(res, 503, "shutting down\n");
    if (path === "/metrics") return send(res, 200, metrics.render(), "text/plain; version=0.0.4");
    send(res, 404, "not found\n");
  });
  // A client that sends its body too slowly gets 408 and the connection closed.
  server.requestTimeout = config.requestTimeout;
  server.headersTimeout = Math.min(config.requestTimeout, 60000);

  // Contents are compared, not mtimes: Secret and ConfigMap volumes swap a symlink.
  const reload = () => {
    try {
      const c = readFileSync(config.tlsCert);
      const k = readFileSync(config.tlsKey);
      if (!c.equals(cert) || !k.equals(key)) {
        server.setSecureContext({ cert: c, key: k });
        cert = c;
        key = k;
        metrics.tlsReloads++;
        console.error("kafkalint-webhook: serving the new certificate");
      }
    } catch (e) {
      metrics.reloadErrors++;
      console.error(`kafkalint-webhook: certificate reload: ${e.message}; keeping the old one`);
    }
    if (policy.file) {
      try {
        const text = readFileSync(policy.file, "utf8");
        if (text !== policy.text) {
          admission = new kafkalint.Admission(text, options);
          policy.text = text;
          metrics.policyReloads++;
          console.error(`kafkalint-webhook: policy ${policy.file} reloaded`);
        }
      } catch (e) {
        metrics.reloadErrors++;
        console.error(`kafkalint-webhook: policy reload: ${e.message}; keeping the old one`);
      }
    }
  };
  const reloader = setInterval(reload, config.reloadInterval);
  reloader.unref();

  /** Fail /readyz, stop listening after the delay, then let requests in flight finish. */
  const shutdown = async () => {
    ready = false;
    console.error(`kafkalint-webhook: shutting down: /readyz fails now, listening stops in ${config.shutdownDelay} ms`);
    await new Promise((r) => setTimeout(r, config.shutdownDelay));
    clearInterval(reloader);
    const closed = new Promise((r) => server.close(r));
    server.closeIdleConnections();
    const drained = await Promise.race([closed.then(() => true), new Promise((r) => setTimeout(() => r(false), config.drainTimeout).unref())]);
    if (!drained) {
      console.error(`kafkalint-webhook: connections still open after ${config.drainTimeout} ms; exiting`);
      server.closeAllConnections();
    }
  };

  const [host, port] = splitAddress(config.listen);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return { server, metrics, shutdown, reload };
}

function splitAddress(addr) {
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(addr);
  if (!m) throw new Error(`--listen ${addr}: expected HOST:PORT`);
  return [m[1], Number(m[2])];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const config = parseArgs(process.argv.slice(2));
    const { server, shutdown } = await start(config);
    const a = server.address();
    console.error(`kafkalint-webhook: listening on ${a.address}:${a.port}`);
    let stopping = false;
    for (const signal of ["SIGTERM", "SIGINT"]) {
      process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        shutdown().then(() => process.exit(0));
      });
    }
  } catch (e) {
    console.error(`kafkalint-webhook: error: ${e.message}`);
    process.exit(2);
  }
}
