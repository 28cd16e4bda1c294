// The Node webhook (wasm/host/webhook.mjs) over real HTTPS on 127.0.0.1, with a CA and server
// certificate made for the test and verification on: the cases of kafkalint-webhook's tests.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { connect } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";

import { kafkalint, repo } from "./common.mjs";
import { start } from "../host/webhook.mjs";

const dir = mkdtempSync(join(tmpdir(), "kafkalint-node-webhook-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A CA, and a server certificate for 127.0.0.1 signed by it, as PEM files named `name`. */
function certificates(name) {
  const p = (f) => join(dir, `${name}-${f}`);
  const ssl = (...args) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", `/CN=${name} test CA`, "-keyout", p("ca.key"), "-out", p("ca.crt"));
  ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=kafkalint-webhook", "-keyout", p("tls.key"), "-out", p("tls.csr"));
  writeFileSync(p("ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  ssl("x509", "-req", "-in", p("tls.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"), "-CAcreateserial", "-days", "1", "-extfile", p("ext"), "-out", p("tls.crt"));
  return { ca: readFileSync(p("ca.crt")), cert: p("tls.crt"), key: p("tls.key") };
}

/** The objects of a YAML file as JSON (PyYAML, which scripts/test.sh installs). */
function example(path, kind) {
  const out = execFileSync("python3", ["-c", "import json,sys,yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))", join(repo, path)]);
  const doc = JSON.parse(out).find((d) => d.kind === kind);
  assert.ok(doc, `${kind} in ${path}`);
  return doc;
}

function reviewOf(object, { group = "apps", version = "v1", kind = "StatefulSet", resource = "statefulsets", uid, operation = "CREATE" }) {
  const namespace = object.metadata.namespace ?? "default";
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group, version, kind },
      resource: { group, version, resource },
      requestKind: { group, version, kind },
      requestResource: { group, version, resource },
      name: object.metadata.name,
      namespace,
      operation,
      userInfo: { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions" },
    },
  });
}

const ticketmaster = () => example("examples/ticketmaster/kafka.yaml", "StatefulSet");
const forexBefore = () => example("examples/forex-stg/before/statefulset.yml", "StatefulSet");

/** One HTTPS request with the test CA as the only root; `{status, body, peer}`. */
function call(server, ca, method, path, body, { agent = false } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: server.address().port, method, path, ca, agent, headers: body ? { "content-type": "application/json" } : {} },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), peer: res.socket.getPeerCertificate?.()?.fingerprint256 }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function withServer(name, extra, fn) {
  const tls = certificates(name);
  const config = {
    listen: "127.0.0.1:0",
    tlsCert: tls.cert,
    tlsKey: tls.key,
    policy: "default",
    exemptNamespaces: ["sandbox"],
    warnOnly: false,
    denyExisting: false,
    requestTimeout: 1500,
    reloadInterval: 100,
    shutdownDelay: 0,
    drainTimeout: 2000,
    ...extra,
  };
  const running = await start(config, kafkalint);
  try {
    await fn({ ...running, tls, config });
  } finally {
    await running.shutdown();
  }
}

test("admission verdicts over HTTPS", () =>
  withServer("verdicts", {}, async ({ server, tls }) => {
    const post = async (body) => {
      const r = await call(server, tls.ca, "POST", "/validate", body);
      assert.equal(r.status, 200, r.body);
      const review = JSON.parse(r.body);
      assert.equal(review.apiVersion, "admission.k8s.io/v1");
      assert.equal(review.kind, "AdmissionReview");
      return review.response;
    };

    // Bad: the ticketmaster broker never starts and has unbounded direct memory.
    let resp = await post(reviewOf(ticketmaster(), { uid: "uid-bad" }));
    assert.equal(resp.uid, "uid-bad");
    assert.equal(resp.allowed, false);
    assert.equal(resp.status.code, 403);
    assert.ok(resp.status.message.startsWith("kafkalint: StatefulSet ticketmaster/kafka has 4 error(s):"), resp.status.message);
    for (const line of [
      "\nTOP001: KAFKA_NODE_ID is the pod name",
      "(spec.template.spec.containers[0].env[0].valueFrom.fieldRef.fieldPath)\n",
      "\nMEM001: direct memory is unbounded",
      "\nTOP002: $(ORDINAL) in KAFKA_ADVERTISED_LISTENERS",
      "\nTOP003: ",
    ]) {
      assert.ok(resp.status.message.includes(line), `${JSON.stringify(line)} in ${resp.status.message}`);
    }

    // Warnings only: the forex-stg StatefulSet alone (its env ConfigMap is not in the request).
    resp = await post(reviewOf(forexBefore(), { uid: "uid-warn" }));
    assert.equal(resp.allowed, true);
    assert.equal(resp.uid, "uid-warn");
    assert.equal(resp.warnings.length, 1, JSON.stringify(resp.warnings));
    assert.ok(resp.warnings[0].startsWith("MEM005: memory request 512Mi is 10% of the 5Gi limit"), resp.warnings[0]);

    // Good: the same broker with its memory request at the limit.
    const good = forexBefore();
    good.spec.template.spec.containers[0].resources.requests.memory = "5Gi";
    resp = await post(reviewOf(good, { uid: "uid-good" }));
    assert.equal(resp.allowed, true);
    assert.equal(resp.warnings, undefined);

    // A Strimzi Kafka with unbounded direct memory.
    const kafka = example("examples/strimzi/kafka.yaml", "Kafka");
    resp = await post(reviewOf(kafka, { group: "kafka.strimzi.io", version: "v1beta2", kind: "Kafka", resource: "kafkas", uid: "uid-strimzi" }));
    assert.equal(resp.allowed, false);
    assert.ok(resp.status.message.includes("\nMEM001: "), resp.status.message);
    assert.ok(resp.status.message.includes("(spec.kafka.resources.limits.memory)"), resp.status.message);

    // Exempt namespace: admitted without a look.
    const sandboxed = ticketmaster();
    sandboxed.metadata.namespace = "sandbox";
    resp = await post(reviewOf(sandboxed, { uid: "uid-sb" }));
    assert.equal(resp.allowed, true);

    // The answers are the native core's: the same body judged by wasm `review` directly.
    const direct = JSON.parse(kafkalint.review(reviewOf(ticketmaster(), { uid: "uid-bad" }), null, { exemptNamespaces: ["sandbox"] }));
    assert.equal(direct.response.allowed, false);

    const metrics = await call(server, tls.ca, "GET", "/metrics");
    assert.equal(metrics.status, 200);
    for (const line of [
      'kafkalint_webhook_requests_total{result="denied"} 2',
      'kafkalint_webhook_requests_total{result="warned"} 1',
      'kafkalint_webhook_requests_total{result="allowed"} 1',
      'kafkalint_webhook_requests_total{result="skipped"} 1',
      'kafkalint_webhook_skipped_total{reason="exempt-namespace"} 1',
      'kafkalint_webhook_findings_total{rule="MEM001",severity="error"} 2',
      'kafkalint_webhook_findings_total{rule="MEM005",severity="warning"} 3',
      "kafkalint_webhook_request_duration_seconds_count 5",
      'kafkalint_webhook_request_duration_seconds_bucket{le="+Inf"} 5',
    ]) {
      assert.ok(metrics.body.includes(line), `${line} in\n${metrics.body}`);
    }
    assert.equal((await call(server, tls.ca, "GET", "/healthz")).status, 200);
    assert.equal((await call(server, tls.ca, "GET", "/readyz")).status, 200);
    assert.equal((await call(server, tls.ca, "GET", "/nope")).status, 404);
    assert.equal((await call(server, tls.ca, "GET", "/validate")).status, 405);
  }));

test("bad requests get HTTP errors and the server stays up", () =>
  withServer("bad", {}, async ({ server, tls }) => {
    let r = await call(server, tls.ca, "POST", "/validate", "{not json");
    assert.equal(r.status, 400, r.body);
    assert.match(r.body, /not JSON/);

    const v1beta1 = JSON.parse(reviewOf(ticketmaster(), { uid: "u" }));
    v1beta1.apiVersion = "admission.k8s.io/v1beta1";
    r = await call(server, tls.ca, "POST", "/validate", JSON.stringify(v1beta1));
    assert.equal(r.status, 400);
    assert.match(r.body, /only admission\.k8s\.io\/v1/);

    r = await call(server, tls.ca, "POST", "/validate", Buffer.alloc(4 * 1024 * 1024, 0x20));
    assert.equal(r.status, 413, r.body);

    r = await call(server, tls.ca, "POST", "/validate", reviewOf(forexBefore(), { uid: "after" }));
    assert.equal(JSON.parse(r.body).response.allowed, true);
    const metrics = (await call(server, tls.ca, "GET", "/metrics")).body;
    assert.ok(metrics.includes('kafkalint_webhook_requests_total{result="invalid"} 2'), metrics);
    assert.ok(metrics.includes('kafkalint_webhook_requests_total{result="too_large"} 1'), metrics);
  }));

test("a slow client times out and others are served", () =>
  withServer("slow", {}, async ({ server, tls }) => {
    const socket = connect({ host: "127.0.0.1", port: server.address().port, ca: tls.ca, servername: "localhost" });
    await new Promise((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
    const started = Date.now();
    socket.write("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{");
    const answer = new Promise((resolve) => {
      let text = "";
      socket.on("data", (d) => (text += d));
      socket.on("close", () => resolve(text));
      socket.on("error", () => {});
    });

    // Meanwhile another client is served at once.
    const t0 = Date.now();
    const r = await call(server, tls.ca, "POST", "/validate", reviewOf(forexBefore(), { uid: "fast" }));
    assert.equal(JSON.parse(r.body).response.allowed, true);
    assert.ok(Date.now() - t0 < 1000);

    const text = await answer;
    assert.ok(Date.now() - started >= 1400, `closed after ${Date.now() - started} ms`);
    assert.ok(text === "" || text.startsWith("HTTP/1.1 408"), text);

    const after = await call(server, tls.ca, "POST", "/validate", reviewOf(ticketmaster(), { uid: "still-up" }));
    assert.equal(JSON.parse(after.body).response.allowed, false);
  }));

test("rotated certificates reach new connections without a restart", () =>
  withServer("rotate", {}, async ({ server, tls }) => {
    const first = await call(server, tls.ca, "GET", "/healthz");
    assert.equal(first.status, 200);
    // A new CA and certificate written over the served files.
    const next = certificates("rotate2");
    writeFileSync(tls.cert, readFileSync(next.cert));
    writeFileSync(tls.key, readFileSync(next.key));
    const deadline = Date.now() + 5000;
    let reply;
    for (;;) {
      reply = await call(server, next.ca, "GET", "/healthz").catch(() => null);
      if (reply) break;
      assert.ok(Date.now() < deadline, "the new certificate is never served");
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(reply.status, 200);
    assert.notEqual(reply.peer, first.peer);
    // The old CA no longer verifies new connections.
    await assert.rejects(call(server, tls.ca, "GET", "/healthz"));
  }));

test("the policy file is reloaded, and warn-only never denies", async () => {
  const policy = join(dir, "policy.yaml");
  writeFileSync(policy, "extends: default\n");
  await withServer("policy", { policy }, async ({ server, tls }) => {
    let r = await call(server, tls.ca, "POST", "/validate", reviewOf(ticketmaster(), { uid: "p1" }));
    assert.equal(JSON.parse(r.body).response.allowed, false);
    writeFileSync(policy, "extends: default\nrules:\n  ALL: { severity: warning }\n");
    const deadline = Date.now() + 5000;
    for (;;) {
      r = await call(server, tls.ca, "POST", "/validate", reviewOf(ticketmaster(), { uid: "p2" }));
      const resp = JSON.parse(r.body).response;
      if (resp.allowed) {
        assert.ok(resp.warnings.length >= 4, JSON.stringify(resp.warnings));
        break;
      }
      assert.ok(Date.now() < deadline, "the policy is never reloaded");
      await new Promise((res) => setTimeout(res, 50));
    }
  });
  await withServer("warn-only", { warnOnly: true }, async ({ server, tls }) => {
    const r = await call(server, tls.ca, "POST", "/validate", reviewOf(ticketmaster(), { uid: "w" }));
    const resp = JSON.parse(r.body).response;
    assert.equal(resp.allowed, true);
    assert.ok(resp.warnings.some((w) => w.includes("MEM001: direct memory is unbounded")), JSON.stringify(resp.warnings));
  });
});

test("SIGTERM fails readiness, then the process exits cleanly", async () => {
  const tls = certificates("sigterm");
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [join(repo, "wasm/host/webhook.mjs"), "--listen", "127.0.0.1:0", "--tls-cert", tls.cert, "--tls-key", tls.key, "--shutdown-delay", "1s", "--drain-timeout", "2s"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const port = await new Promise((resolve, reject) => {
    child.stderr.on("data", (d) => {
      stderr += d;
      const m = /listening on [^:]+:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`exited early (${code}): ${stderr}`)));
  });
  const server = { address: () => ({ port }) };
  assert.equal((await call(server, tls.ca, "GET", "/readyz")).status, 200);
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await call(server, tls.ca, "GET", "/readyz")).status, 503);
  assert.equal((await call(server, tls.ca, "GET", "/healthz")).status, 200);
  assert.equal(await exited, 0);
  assert.match(stderr, /shutting down/);
});
