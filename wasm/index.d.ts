// kafkalint for JavaScript hosts (Node, browsers, editors). Hand-written: keep in step with
// wasm/src/bindings.rs. Every function returns a JSON string (the same bytes the CLI prints for
// the same input); the types below describe what `JSON.parse` gives. Errors throw an `Error`.

/** Path to content. A path is relative to the root of the tree (`overlays/prod/kustomization.yaml`).
 * Pass bytes (`Uint8Array`, Node `Buffer`) to have non-UTF-8 files reported as the CLI reports them. */
export type Files = Record<string, string | Uint8Array> | Map<string, string | Uint8Array>;

export interface LintOptions {
  /** What to lint among `files`, as the CLI's PATH arguments: files (linted whatever their
   * names) and directories (walked). Default: `["."]`, the whole tree. */
  paths?: string[];
  /** Add `utf16_column` and `utf16_end_column` to each diagnostic (for editors). */
  utf16Columns?: boolean;
  /** Image family of brokers and standalone files, as the CLI's `--image`. */
  image?: "bitnami" | "cp-kafka" | "apache" | "apache-native" | "wurstmeister" | "strimzi" | "other";
  /** Kafka version as `MAJOR.MINOR`, as the CLI's `--kafka-version`. */
  kafkaVersion?: string;
}

/**
 * Lint `files` as `kafkalint lint -f json PATH...` lints a directory holding them, run from its
 * root: the same walk (`.yaml .yml .json .env .properties`; hidden directories, `target` and
 * `node_modules` skipped; a directory with a kustomization rendered instead of walked, reading
 * what it names from `files`).
 *
 * `policy` is a pack name (`default`, `production`, `development`) or policy YAML, whose
 * `extends:` may name packs and files among `files`. Without it, the nearest `.kafkalint.yaml`
 * (or `.kafkalint.yml`) among `files`, upward from each path, applies.
 * Returns JSON: {@link LintReport}. Throws when a path is missing, nothing can be linted, or
 * the policy is invalid.
 */
export function lint(files: Files, policy?: string | null, options?: LintOptions | null): string;

/** The memory budget of every broker, as `kafkalint memory -f json`. Returns JSON: {@link MemoryReport}. */
export function memory(files: Files, policy?: string | null, options?: LintOptions | null): string;
/** The same function under the name the wasm module exports (a wasm export cannot be `memory`). */
export function memoryBudget(files: Files, policy?: string | null, options?: LintOptions | null): string;

export interface ReviewOptions {
  /** Namespaces (globs with `*`) admitted without linting. */
  exemptNamespaces?: string[];
  /** Report error-level findings as warnings and admit: the rollout mode. */
  warnOnly?: boolean;
  /** On UPDATE, deny for errors the stored object already had too. */
  denyExisting?: boolean;
}

/**
 * Judge an `admission.k8s.io/v1` AdmissionReview (JSON text), as `kafkalint webhook` does.
 * Returns the AdmissionReview with its `response` (JSON): {@link AdmissionReviewResponse}.
 * Throws, with a message naming the problem, when the body is not JSON or not an
 * AdmissionReview v1 with a request (a server answers 400).
 */
export function review(admissionReview: string, policy?: string | null, options?: ReviewOptions | null): string;

/** A policy parsed once for many reviews: what a server holds. */
export class Admission {
  /** Throws when the policy is invalid. */
  constructor(policy?: string | null, options?: ReviewOptions | null);
  /** The AdmissionReview response (JSON text). Throws when the body is not an AdmissionReview v1. */
  review(body: Uint8Array): string;
  /** {@link DetailedReview} as JSON text: the response plus what a server counts and logs. */
  reviewDetailed(body: Uint8Array): string;
  free(): void;
}

export interface DetailedReview {
  review: AdmissionReviewResponse;
  verdict: "allowed" | "warned" | "denied" | "skipped";
  /** Why a request was admitted without linting. */
  skipped: "operation" | "subresource" | "exempt-namespace" | "being-deleted" | "controller-owned" | null;
  findings: { code: string; severity: Severity; message: string; path: string; existing: boolean }[];
}

/** Every rule, as `kafkalint rules -f json`. Returns JSON: {@link RuleRow}[]. */
export function rules(policy?: string | null): string;

/** One rule by code or name, with its documentation. Returns JSON: {@link RuleDoc}. Throws for an unknown rule. */
export function rule(code: string, policy?: string | null): string;

/** kafkalint's version. */
export function version(): string;

export type Severity = "error" | "warning" | "info";

export interface Resource {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | null;
}

export interface Diagnostic {
  rule: string;
  severity: Severity;
  message: string;
  /** The path as given in `files` (or as a kustomization names it), `/`-separated. */
  file: string;
  /** 1-based; columns count Unicode characters, as the CLI's. */
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  /** Only with `utf16Columns`: 1-based columns in UTF-16 code units. */
  utf16_column?: number;
  utf16_end_column?: number;
  /** `null` for findings outside a Kubernetes object (standalone files, parse errors). */
  resource: Resource | null;
  help: string | null;
  /** Stable across reformatting: rule, object and config key. */
  fingerprint: string;
}

export interface LintReport {
  version: 1;
  diagnostics: Diagnostic[];
  summary: { files: number; resources: number; errors: number; warnings: number; infos: number };
}

export interface RuleRow {
  code: string;
  name: string;
  category: string;
  default_severity: Severity;
  enabled: boolean;
  severity: Severity;
  summary: string;
}

export interface RuleDoc {
  code: string;
  name: string;
  category: string;
  default_severity: Severity;
  summary: string;
  /** Markdown, as `kafkalint rule CODE` prints it. */
  doc: string;
}

export interface MemoryTerm {
  name: string;
  mib: number;
  bytes: number;
  source: "flag" | "image-default" | "default" | "derived" | "estimate";
  detail: string;
  /** For a JVM option: the token, where it was set, and its place. */
  token?: string;
  from?: string;
  file?: string;
  line?: number;
  column?: number;
  /** For an estimate: the policy parameters behind it. */
  policy?: string[];
}

export interface MemoryChange {
  kind: "bound-direct" | "lower-direct" | "lower-heap" | "raise-limit";
  mib: number;
  delta_mib: number;
  setting: string;
  text: string;
}

export interface MemoryBroker {
  name: string;
  kind?: string;
  resource?: string;
  namespace?: string | null;
  file: string;
  line: number;
  column: number;
  image: string | null;
  family: string;
  kafka_version: string | null;
  replicas: number | null;
  status: "budget" | "no-limit" | "unknown";
  /** When `status` is not `budget`. */
  reason?: string;
  minimum_margin_percent?: number;
  target_margin_percent?: number;
  jdk?: number;
  terms?: MemoryTerm[];
  threads?: {
    network: number; listeners: number; io: number; fetchers: number; other_brokers: number;
    background: number; cleaner: number; jvm: number; other: number; total: number; stack_mib: number;
  };
  total_mib?: number;
  limit?: { mib: number; text: string; file: string; line: number; column: number };
  margin_percent?: number;
  verdict?: "error" | "warning" | "ok";
  /** Each reaches the target margin alone. */
  changes?: MemoryChange[];
}

export interface MemoryReport {
  target_margin_percent: number;
  minimum_margin_percent: number;
  brokers: MemoryBroker[];
}

export interface AdmissionReviewResponse {
  apiVersion: "admission.k8s.io/v1";
  kind: "AdmissionReview";
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; message: string; reason?: string };
    warnings?: string[];
  };
}
