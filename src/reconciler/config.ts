/**
 * The reconciler's configuration file (YAML, `version: 1`; docs/reconciler.md "Configuration").
 * Validated whole: every problem is listed with the field it is about, and an invalid file stops
 * the command (exit 1). Secrets never live here: the GitHub App key and the fingerprint key come
 * from the environment (./secrets.ts).
 */
import cron from "node-cron";
import { isDocument, LineCounter, parseDocument } from "yaml";
import type { Document } from "yaml";
import { normaliseRepoPath } from "../core/repo-config/paths.js";
import type { EksAccess } from "../kube/client.js";

export interface ReconcilerConfig {
  version: 1;
  cluster: string;
  repository: { owner: string; repo: string };
  branch: string;
  paths: string[];
  github: { appId: number; installationId?: number; apiUrl?: string };
  kubernetes:
    | { mode: "in-cluster" }
    | { mode: "kubeconfig"; kubeconfig: string; context?: string }
    | ({ mode: "eks" } & EksAccess);
  audit: { store: string; spool: string };
  schedule: { pass: string; drift: string };
  apply: { concurrency: number; crdEstablishedTimeoutSeconds: number };
  manage: { namespaces: string[]; kinds: string[] };
  leaderElection: { enabled: boolean; namespace: string; leaseName: string; leaseDurationSeconds: number };
  inventory: { namespace: string; name: string };
  server: { port: number };
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace";
  /** First-parent commits walked between passes at most (beyond: refused until adopted). */
  historyLimit: number;
}

export interface ConfigProblem {
  field: string;
  message: string;
  line?: number;
}

export class ReconcilerConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `invalid reconciler configuration ${file}: ${problems
        .map(
          (p) =>
            `${p.field === "" ? "" : `${p.field}: `}${p.message}${p.line === undefined ? "" : ` (line ${p.line})`}`,
        )
        .join("; ")}`,
    );
    this.name = "ReconcilerConfigError";
  }
}

const MAX_BYTES = 64 * 1024;
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const OWNER_REPO = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;
const BRANCH = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;
const KIND = /^[a-z0-9.-]{0,253}\/[A-Za-z][A-Za-z0-9]{0,62}$/;
const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

class Checker {
  readonly problems: ConfigProblem[] = [];
  constructor(
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter,
  ) {}

  add(path: string[], message: string): void {
    const problem: ConfigProblem = { field: path.join("."), message };
    const node = this.doc?.getIn(path, true) as { range?: [number, number, number] } | undefined;
    if (node?.range) problem.line = this.lines.linePos(node.range[0]).line;
    this.problems.push(problem);
  }

  section(root: Obj, name: string, allowed: string[]): Obj {
    const v = root[name];
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      this.add([name], "must be a mapping");
      return {};
    }
    for (const k of Object.keys(v))
      if (!allowed.includes(k)) this.add([name, k], `unknown field (allowed: ${allowed.join(", ")})`);
    return v;
  }

  string(
    o: Obj,
    path: string[],
    options: { required?: boolean; re?: RegExp; what?: string; fallback?: string } = {},
  ): string {
    const v = o[path[path.length - 1] as string];
    if (v === undefined || v === null || v === "") {
      if (options.required) this.add(path, `is required${options.what ? ` (${options.what})` : ""}`);
      return options.fallback ?? "";
    }
    if (typeof v !== "string" || (options.re !== undefined && !options.re.test(v))) {
      this.add(path, `must be ${options.what ?? "a string"}`);
      return options.fallback ?? "";
    }
    return v;
  }

  int(o: Obj, path: string[], min: number, max: number, fallback: number | undefined): number | undefined {
    const v = o[path[path.length - 1] as string];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.add(path, "is required");
      return fallback;
    }
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.add(path, `must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return v;
  }

  list(o: Obj, path: string[], re: RegExp, what: string): string[] {
    const v = o[path[path.length - 1] as string];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.length > 1_000) {
      this.add(path, `must be a list of ${what}s`);
      return [];
    }
    const out: string[] = [];
    v.forEach((item, i) => {
      if (typeof item !== "string" || !re.test(item)) this.add([...path, String(i)], `must be ${what}`);
      else if (!out.includes(item)) out.push(item);
    });
    return out;
  }

  cron(o: Obj, path: string[], fallback: string): string {
    const v = this.string(o, path, { fallback, what: "a node-cron expression" });
    if (!cron.validate(v)) {
      this.add(path, `is not a valid cron expression: ${JSON.stringify(v).slice(0, 80)}`);
      return fallback;
    }
    return v;
  }
}

/** Parses and validates the config text. `env` supplies POD_NAMESPACE defaults. Throws ReconcilerConfigError. */
export function parseReconcilerConfig(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): ReconcilerConfig {
  const lines = new LineCounter();
  if (Buffer.byteLength(text) > MAX_BYTES)
    throw new ReconcilerConfigError(file, [{ field: "", message: `larger than ${MAX_BYTES} bytes` }]);
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
  });
  if (doc.errors.length > 0) {
    throw new ReconcilerConfigError(
      file,
      doc.errors.slice(0, 10).map((e) => ({
        field: "",
        message: e.message.split("\n")[0] ?? "YAML error",
        line: lines.linePos(e.pos[0]).line,
      })),
    );
  }
  const root = isDocument(doc) ? (doc.toJS({ maxAliasCount: 10 }) as unknown) : undefined;
  const c = new Checker(doc, lines);
  if (!isObj(root)) throw new ReconcilerConfigError(file, [{ field: "", message: "must be a YAML mapping" }]);
  const top = [
    "version",
    "cluster",
    "repository",
    "branch",
    "paths",
    "github",
    "kubernetes",
    "audit",
    "schedule",
    "apply",
    "manage",
    "leaderElection",
    "inventory",
    "server",
    "logLevel",
    "historyLimit",
  ];
  for (const k of Object.keys(root))
    if (!top.includes(k)) c.add([k], `unknown field (allowed: ${top.join(", ")})`);
  if (root["version"] !== 1) c.add(["version"], "must be 1");

  const cluster = c.string(root, ["cluster"], {
    required: true,
    re: DNS_LABEL,
    what: "a cluster name (lower-case letters, digits and -)",
  });
  const repository = c.string(root, ["repository"], { required: true, re: OWNER_REPO, what: "owner/name" });
  const [, owner = "", repo = ""] = OWNER_REPO.exec(repository) ?? [];
  const branch = c.string(root, ["branch"], { re: BRANCH, what: "a branch name", fallback: "main" });
  const paths: string[] = [];
  const rawPaths = root["paths"];
  if (!Array.isArray(rawPaths) || rawPaths.length === 0)
    c.add(["paths"], "must be a non-empty list of repository paths");
  else
    rawPaths.forEach((p, i) => {
      const n = typeof p === "string" ? normaliseRepoPath(p) : { error: "must be a repository path" };
      if ("error" in n) c.add(["paths", String(i)], n.error);
      else if (n.path === "") c.add(["paths", String(i)], "must not be the whole repository");
      else paths.push(n.path);
    });

  const gh = c.section(root, "github", ["appId", "installationId", "apiUrl"]);
  const appId = c.int(gh, ["github", "appId"], 1, Number.MAX_SAFE_INTEGER, undefined) ?? 0;
  const installationId =
    gh["installationId"] === undefined
      ? undefined
      : c.int(gh, ["github", "installationId"], 1, Number.MAX_SAFE_INTEGER, 0);
  const apiUrl = c.string(gh, ["github", "apiUrl"], { re: /^https?:\/\/[^\s]+$/, what: "an http(s) URL" });

  const kube = c.section(root, "kubernetes", ["mode", "kubeconfig", "context", "eks"]);
  const mode = c.string(kube, ["kubernetes", "mode"], {
    fallback: "in-cluster",
    re: /^(in-cluster|kubeconfig|eks)$/,
    what: "in-cluster, kubeconfig or eks",
  });
  let kubernetes: ReconcilerConfig["kubernetes"] = { mode: "in-cluster" };
  if (mode === "kubeconfig") {
    const context = c.string(kube, ["kubernetes", "context"]);
    kubernetes = {
      mode,
      kubeconfig: c.string(kube, ["kubernetes", "kubeconfig"], { fallback: "~/.kube/config" }),
      ...(context ? { context } : {}),
    };
  } else if (mode === "eks") {
    const eks = isObj(kube["eks"]) ? kube["eks"] : {};
    if (!isObj(kube["eks"])) c.add(["kubernetes", "eks"], "is required in eks mode");
    for (const k of Object.keys(eks))
      if (!["clusterName", "region", "endpoint", "caFile", "caData", "roleArn"].includes(k))
        c.add(["kubernetes", "eks", k], "unknown field");
    const p = (k: string): string[] => ["kubernetes", "eks", k];
    const caFile = c.string(eks, p("caFile"));
    const caData = c.string(eks, p("caData"));
    const roleArn = c.string(eks, p("roleArn"), {
      re: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
      what: "an IAM role ARN",
    });
    if (!caFile && !caData) c.add(p("caFile"), "caFile or caData is required");
    kubernetes = {
      mode,
      clusterName: c.string(eks, p("clusterName"), {
        required: true,
        re: /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/,
        what: "an EKS cluster name",
      }),
      region: c.string(eks, p("region"), {
        required: true,
        re: /^[a-z]{2}(-[a-z]+)+-\d$/,
        what: "an AWS region",
      }),
      endpoint: c.string(eks, p("endpoint"), {
        required: true,
        re: /^https:\/\/[^\s]+$/,
        what: "an https URL",
      }),
      ...(caFile ? { caFile } : {}),
      ...(caData ? { caData } : {}),
      ...(roleArn ? { roleArn } : {}),
    };
  }

  const audit = c.section(root, "audit", ["store", "spool"]);
  const store = c.string(audit, ["audit", "store"], {
    required: true,
    re: /^(s3:\/\/|file:\/\/)\S+$/,
    what: "s3://bucket/prefix or file:///path",
  });
  const spool = c.string(audit, ["audit", "spool"], { fallback: "/var/lib/countersign/spool" });
  const schedule = c.section(root, "schedule", ["pass", "drift"]);
  const apply = c.section(root, "apply", ["concurrency", "crdEstablishedTimeoutSeconds"]);
  const manage = c.section(root, "manage", ["namespaces", "kinds"]);
  const lease = c.section(root, "leaderElection", [
    "enabled",
    "namespace",
    "leaseName",
    "leaseDurationSeconds",
  ]);
  const inventory = c.section(root, "inventory", ["namespace", "name"]);
  const server = c.section(root, "server", ["port"]);
  const podNamespace = env["POD_NAMESPACE"] ?? "";
  const leaseNamespace =
    c.string(lease, ["leaderElection", "namespace"], { re: DNS_LABEL, what: "a namespace name" }) ||
    podNamespace;
  const inventoryNamespace =
    c.string(inventory, ["inventory", "namespace"], { re: DNS_LABEL, what: "a namespace name" }) ||
    podNamespace;
  if (inventoryNamespace === "")
    c.add(["inventory", "namespace"], "is required when POD_NAMESPACE is not set");
  const enabled = lease["enabled"] === undefined ? true : lease["enabled"];
  if (typeof enabled !== "boolean") c.add(["leaderElection", "enabled"], "must be true or false");
  if (enabled === true && leaseNamespace === "")
    c.add(["leaderElection", "namespace"], "is required when POD_NAMESPACE is not set");
  const logLevel = c.string(root, ["logLevel"], {
    fallback: "info",
    re: /^(fatal|error|warn|info|debug|trace)$/,
    what: LEVELS.join(", "),
  });

  const config: ReconcilerConfig = {
    version: 1,
    cluster,
    repository: { owner, repo },
    branch,
    paths,
    github: {
      appId,
      ...(installationId ? { installationId } : {}),
      ...(apiUrl ? { apiUrl: apiUrl.replace(/\/+$/, "") } : {}),
    },
    kubernetes,
    audit: { store, spool },
    schedule: {
      pass: c.cron(schedule, ["schedule", "pass"], "*/30 * * * * *"),
      drift: c.cron(schedule, ["schedule", "drift"], "*/10 * * * *"),
    },
    apply: {
      concurrency: c.int(apply, ["apply", "concurrency"], 1, 64, 8) ?? 8,
      crdEstablishedTimeoutSeconds: c.int(apply, ["apply", "crdEstablishedTimeoutSeconds"], 1, 600, 60) ?? 60,
    },
    manage: {
      namespaces: c.list(manage, ["manage", "namespaces"], DNS_LABEL, "a namespace name"),
      kinds: c.list(manage, ["manage", "kinds"], KIND, 'a "group/Kind" ("/ConfigMap", "apps/Deployment")'),
    },
    leaderElection: {
      enabled: enabled === true,
      namespace: leaseNamespace,
      leaseName: c.string(lease, ["leaderElection", "leaseName"], {
        fallback: "countersign-reconciler",
        re: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
        what: "a Lease name",
      }),
      leaseDurationSeconds: c.int(lease, ["leaderElection", "leaseDurationSeconds"], 5, 300, 15) ?? 15,
    },
    inventory: {
      namespace: inventoryNamespace,
      name: c.string(inventory, ["inventory", "name"], {
        fallback: "countersign-inventory",
        re: /^[a-z0-9]([-a-z0-9]{0,230}[a-z0-9])?$/,
        what: "a ConfigMap name prefix",
      }),
    },
    server: { port: c.int(server, ["server", "port"], 0, 65535, 8080) ?? 8080 },
    logLevel: logLevel as ReconcilerConfig["logLevel"],
    historyLimit: c.int(root, ["historyLimit"], 1, 10_000, 500) ?? 500,
  };
  if (c.problems.length > 0) throw new ReconcilerConfigError(file, c.problems);
  return config;
}
