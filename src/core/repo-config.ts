import { isNode, LineCounter, parseDocument } from "yaml";
import type { Document } from "yaml";
import { REPO_CONFIG_PATH } from "./constants.js";
import { duplicateKeyOffset } from "./yaml-duplicate-keys.js";
import { GROUP_KIND_PATTERN } from "./well-known-kinds.js";
import { isWithin, normaliseRepoPath } from "./repo-config/paths.js";
import type { ManagedPath, PolicySource, RepoConfig, RepoConfigProblem } from "./repo-config/types.js";
import { RepoConfigError } from "./repo-config/types.js";

export type { ManagedPath, PolicySource, RepoConfig, RepoConfigProblem } from "./repo-config/types.js";
export { RepoConfigError } from "./repo-config/types.js";
export {
  clusterFor,
  isManagedPath,
  normaliseRepoPath,
  protectedFiles,
  protectedPathOf,
} from "./repo-config/paths.js";

/** A configuration file larger than this is refused unread. */
export const REPO_CONFIG_MAX_BYTES = 256 * 1024;
const MAX_ENTRIES = 1_000;

const TOP_KEYS = [
  "version",
  "paths",
  "policy",
  "agents",
  "reviewers",
  "defaultNamespace",
  "countersignNamespace",
  "clusterScopedKinds",
];
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,98})(?:\[bot\])?$/;
const TEAM = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,98})\/[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,98})$/;

type Path = (string | number)[];

class Collector {
  readonly problems: RepoConfigProblem[] = [];
  constructor(
    readonly file: string,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter,
  ) {}

  add(path: Path, message: string): void {
    const field = path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
    const problem: RepoConfigProblem = { file: this.file, field, message };
    const node = this.doc?.getIn(path, true);
    if (isNode(node) && node.range) problem.line = this.lines.linePos(node.range[0]).line;
    this.problems.push(problem);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function unknownKeys(v: Record<string, unknown>, allowed: string[], path: Path, out: Collector): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) out.add([...path, k], `unknown field (allowed: ${allowed.join(", ")})`);
  }
}

function stringList(v: unknown, path: Path, re: RegExp, what: string, out: Collector): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    out.add(path, `must be a list of ${what}s`);
    return [];
  }
  if (v.length > MAX_ENTRIES) {
    out.add(path, `has more than ${MAX_ENTRIES} entries`);
    return [];
  }
  const result: string[] = [];
  v.forEach((item, i) => {
    if (typeof item !== "string" || !re.test(item)) out.add([...path, i], `must be a ${what}`);
    else if (!result.includes(item.toLowerCase())) result.push(item.toLowerCase());
  });
  return result.sort();
}

function namespace(v: unknown, path: Path, out: Collector): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !DNS_LABEL.test(v)) {
    out.add(path, "must be a Kubernetes namespace name (a lower-case DNS label)");
    return undefined;
  }
  return v;
}

/** `clusterScopedKinds`: custom kinds (`group/Kind`) the set cannot learn from a CRD of its own. */
function groupKinds(v: unknown, out: Collector): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    out.add(["clusterScopedKinds"], "must be a list of group/Kind");
    return [];
  }
  if (v.length > MAX_ENTRIES) {
    out.add(["clusterScopedKinds"], `has more than ${MAX_ENTRIES} entries`);
    return [];
  }
  const result = new Set<string>();
  v.forEach((item, i) => {
    if (typeof item !== "string" || !GROUP_KIND_PATTERN.test(item))
      out.add(["clusterScopedKinds", i], "must be group/Kind, e.g. example.com/Widget");
    else result.add(item);
  });
  return [...result].sort();
}

function managedPaths(v: unknown, out: Collector): ManagedPath[] {
  if (!Array.isArray(v) || v.length === 0) {
    out.add(["paths"], "must be a non-empty list of { path, cluster }");
    return [];
  }
  if (v.length > MAX_ENTRIES) {
    out.add(["paths"], `has more than ${MAX_ENTRIES} entries`);
    return [];
  }
  const result: ManagedPath[] = [];
  v.forEach((entry, i) => {
    if (!isObject(entry)) {
      out.add(["paths", i], "must be a mapping { path, cluster }");
      return;
    }
    unknownKeys(entry, ["path", "cluster"], ["paths", i], out);
    let path: string | undefined;
    if (typeof entry.path !== "string") out.add(["paths", i, "path"], "must be a repository path");
    else {
      const n = normaliseRepoPath(entry.path);
      if ("error" in n) out.add(["paths", i, "path"], n.error);
      else path = n.path;
    }
    const cluster = entry.cluster;
    if (typeof cluster !== "string" || !DNS_LABEL.test(cluster)) {
      out.add(["paths", i, "cluster"], "must be a cluster name (a lower-case DNS label)");
      return;
    }
    if (path === undefined) return;
    const clash = result.find((p) => isWithin(p.path, path) || isWithin(path, p.path));
    if (clash !== undefined) {
      out.add(
        ["paths", i, "path"],
        `${path} overlaps ${clash.path}: managed paths must not be nested or repeated`,
      );
      return;
    }
    result.push({ path, cluster });
  });
  return result.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function policySource(v: unknown, out: Collector): PolicySource {
  if (v === undefined || v === "default") return { source: "default" };
  if (typeof v !== "string") {
    out.add(["policy"], 'must be "default" or a file or directory of the repository');
    return { source: "default" };
  }
  const n = normaliseRepoPath(v);
  if ("error" in n) {
    out.add(["policy"], n.error);
    return { source: "default" };
  }
  return { source: "repository", path: n.path };
}

/**
 * Parse and validate `.github/countersign.yml` (see docs/repo-config.md). Throws a RepoConfigError
 * listing every problem (file, field, message, line): an invalid configuration fails closed.
 */
export function parseRepoConfig(text: string, file: string = REPO_CONFIG_PATH): RepoConfig {
  const lines = new LineCounter();
  const early = new Collector(file, undefined, lines);
  if (typeof text !== "string") early.add([], "is not text");
  else if (Buffer.byteLength(text, "utf8") > REPO_CONFIG_MAX_BYTES)
    early.add([], `is larger than ${REPO_CONFIG_MAX_BYTES} bytes`);
  if (early.problems.length > 0) throw new RepoConfigError(file, early.problems);

  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: false, // checked below in linear time (yaml's own check is quadratic)
    strict: true,
    prettyErrors: false,
  });
  const out = new Collector(file, doc, lines);
  for (const e of doc.errors) {
    const problem: RepoConfigProblem = {
      file,
      field: "",
      message: `YAML: ${e.message.split("\n")[0] ?? ""}`,
    };
    problem.line = lines.linePos(e.pos[0]).line;
    out.problems.push(problem);
  }
  const duplicate = doc.errors.length === 0 ? duplicateKeyOffset(doc) : undefined;
  if (duplicate !== undefined)
    out.problems.push({
      file,
      field: "",
      message: "YAML: map keys must be unique",
      line: lines.linePos(duplicate).line,
    });
  if (out.problems.length > 0) throw new RepoConfigError(file, out.problems);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new RepoConfigError(
      file,
      [{ file, field: "", message: "YAML: too many aliases or an invalid alias" }],
      {
        cause,
      },
    );
  }
  if (!isObject(value)) {
    throw new RepoConfigError(file, [
      { file, field: "", message: "must be a mapping with version: 1 and paths" },
    ]);
  }
  unknownKeys(value, TOP_KEYS, [], out);
  if (value.version !== 1) out.add(["version"], "must be 1");
  const paths = managedPaths(value.paths, out);
  const policy = policySource(value.policy, out);
  // The configuration and the policy are read from the default branch and guarded as protected
  // files; inside a managed path they would also be parsed (and applied) as manifests.
  const guarded = [file, ...(policy.source === "repository" ? [policy.path] : [])];
  paths.forEach((p) => {
    const overlap = guarded.find((g) => isWithin(p.path, g) || isWithin(g, p.path));
    if (overlap !== undefined)
      out.add(
        ["paths"],
        `${p.path} overlaps ${overlap}: keep countersign's configuration and policy outside managed paths`,
      );
  });
  const agents = stringList(value.agents, ["agents"], LOGIN, "GitHub login", out);
  let users: string[] = [];
  let teams: string[] = [];
  if (value.reviewers !== undefined && value.reviewers !== null) {
    if (!isObject(value.reviewers)) out.add(["reviewers"], "must be a mapping { users, teams }");
    else {
      unknownKeys(value.reviewers, ["users", "teams"], ["reviewers"], out);
      users = stringList(value.reviewers.users, ["reviewers", "users"], LOGIN, "GitHub login", out);
      teams = stringList(value.reviewers.teams, ["reviewers", "teams"], TEAM, "team as org/slug", out);
    }
  }
  const agentReviewer = users.find((u) => agents.includes(u));
  if (agentReviewer !== undefined)
    out.add(["reviewers", "users"], `${agentReviewer} is also an agent: agents never approve`);
  const defaultNamespace = namespace(value.defaultNamespace, ["defaultNamespace"], out);
  const countersignNamespace = namespace(value.countersignNamespace, ["countersignNamespace"], out);
  const clusterScopedKinds = groupKinds(value.clusterScopedKinds, out);
  if (out.problems.length > 0) throw new RepoConfigError(file, out.problems);

  const config: RepoConfig = {
    version: 1,
    file,
    paths,
    policy,
    agents,
    reviewers: { users, teams },
  };
  if (defaultNamespace !== undefined) config.defaultNamespace = defaultNamespace;
  if (countersignNamespace !== undefined) config.countersignNamespace = countersignNamespace;
  if (clusterScopedKinds.length > 0) config.clusterScopedKinds = clusterScopedKinds;
  return config;
}
