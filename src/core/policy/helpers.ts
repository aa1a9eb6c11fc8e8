/**
 * Helpers exposed to CEL rules: the pod spec wherever it lives, containers and volumes with their
 * field paths, "which fields changed" and image reference parsing. Plain functions of their inputs.
 */

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const WORKLOAD_KINDS = new Set([
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
  "ReplicationController",
]);

/** Field path of the pod spec inside an object of this kind, or undefined when it has none. */
export function podSpecPath(object: unknown): string | undefined {
  if (!isObj(object)) return undefined;
  const kind = object["kind"];
  if (kind === "Pod") return "spec";
  if (kind === "PodTemplate") return "template.spec";
  if (kind === "CronJob") return "spec.jobTemplate.spec.template.spec";
  if (typeof kind === "string" && WORKLOAD_KINDS.has(kind)) return "spec.template.spec";
  return undefined;
}

/** The value at a dotted path of plain keys (`a.b.c`), or undefined. */
export function getPath(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const key of path.split(".")) {
    if (!isObj(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The pod spec of a Pod, a workload's template or a CronJob's job template; null when absent. */
export function podSpec(object: unknown): Obj | null {
  const path = podSpecPath(object);
  if (path === undefined) return null;
  const spec = getPath(object, path);
  return isObj(spec) ? spec : null;
}

/** An element of a list in a pod spec, with the field path that names it. */
export interface PodSpecEntry {
  name: string;
  path: string;
  /** `containers`, `initContainers`, `ephemeralContainers` or `volumes`. */
  list: string;
  spec: Obj;
}

const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

function entries(object: unknown, lists: readonly string[]): PodSpecEntry[] {
  const base = podSpecPath(object);
  const spec = podSpec(object);
  if (base === undefined || spec === null) return [];
  const out: PodSpecEntry[] = [];
  for (const list of lists) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item: unknown, index) => {
      if (!isObj(item)) return;
      const name = typeof item["name"] === "string" ? item["name"] : "";
      const selector = name === "" ? `[${index}]` : `[name=${name}]`;
      out.push({ name, path: `${base}.${list}${selector}`, list, spec: item });
    });
  }
  return out;
}

/** Every container (including init and ephemeral containers) of the object's pod spec. */
export function containers(object: unknown): PodSpecEntry[] {
  return entries(object, CONTAINER_LISTS);
}

/** Every volume of the object's pod spec. */
export function volumes(object: unknown): PodSpecEntry[] {
  return entries(object, ["volumes"]);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function keySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function joinPath(base: string, segment: string): string {
  if (base === "") return segment.startsWith(".") ? segment.slice(1) : segment;
  return base + segment;
}

function namedList(items: unknown[]): Map<string, unknown> | undefined {
  const byName = new Map<string, unknown>();
  for (const item of items) {
    if (!isObj(item) || typeof item["name"] !== "string" || byName.has(item["name"])) return undefined;
    byName.set(item["name"], item);
  }
  return byName;
}

const MAX_FIELDS = 1000;

function diff(before: unknown, after: unknown, path: string, out: string[]): void {
  if (out.length >= MAX_FIELDS || before === after) return;
  if (isObj(before) && isObj(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of [...keys].sort()) diff(before[key], after[key], joinPath(path, keySegment(key)), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const a = namedList(before);
    const b = namedList(after);
    if (a !== undefined && b !== undefined && (a.size > 0 || b.size > 0)) {
      const names = new Set([...a.keys(), ...b.keys()]);
      for (const name of [...names].sort()) diff(a.get(name), b.get(name), `${path}[name=${name}]`, out);
      return;
    }
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) diff(before[i], after[i], `${path}[${i}]`, out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push(path);
}

const fieldCache = new WeakMap<object, WeakMap<object, string[]>>();

/**
 * Leaf field paths that differ between two objects, sorted, in the notation of Change.fields
 * (`spec.template.spec.containers[name=web].image`). Capped at 1000 paths.
 */
export function changedFields(before: unknown, after: unknown): string[] {
  if (!isObj(before) || !isObj(after)) return [];
  let inner = fieldCache.get(before);
  const cached = inner?.get(after);
  if (cached !== undefined) return cached;
  const out: string[] = [];
  diff(before, after, "", out);
  out.sort();
  if (inner === undefined) {
    inner = new WeakMap();
    fieldCache.set(before, inner);
  }
  inner.set(after, out);
  return out;
}

/** Whether the value at a dotted path differs between two objects (an absent side counts as different). */
export function fieldChanged(before: unknown, after: unknown, path: string): boolean {
  const a = getPath(before, path);
  const b = getPath(after, path);
  if (a === b) return false;
  return JSON.stringify(a) !== JSON.stringify(b);
}

/** An image reference split into registry, repository, tag and digest. */
export interface ImageRef {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
}

/** Parses `registry/repo:tag@sha256:...`; the registry defaults to `docker.io`, as the runtime does. */
export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest = "";
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = "";
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry = "docker.io";
  const first = rest.indexOf("/");
  if (first >= 0) {
    const head = rest.slice(0, first);
    if (head.includes(".") || head.includes(":") || head === "localhost") {
      registry = head;
      rest = rest.slice(first + 1);
    }
  }
  if (registry === "docker.io" && !rest.includes("/")) rest = `library/${rest}`;
  return { registry, repository: rest, tag, digest };
}

/** `[{index, value}]` for a list (anything else: empty), so rules can name `rules[3]` in a finding path. */
export function withIndex(list: unknown): { index: number; value: unknown }[] {
  return Array.isArray(list) ? list.map((value: unknown, index) => ({ index, value })) : [];
}

/** Container name → image, over every container of the object's pod spec. */
export function containerImages(object: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of containers(object)) {
    if (typeof c.spec["image"] === "string") out[c.name] = c.spec["image"];
  }
  return out;
}

function securityContext(value: unknown): Obj {
  return isObj(value) && isObj(value["securityContext"]) ? value["securityContext"] : {};
}

/** Whether every container must run as non-root (pod-level runAsNonRoot, or on each container, or a non-zero runAsUser). */
export function runsAsNonRoot(object: unknown): boolean {
  const spec = podSpec(object);
  if (spec === null) return true;
  const pod = securityContext(spec);
  const list = containers(object);
  return list.every((c) => {
    const sc = securityContext(c.spec);
    const nonRoot = sc["runAsNonRoot"] ?? pod["runAsNonRoot"];
    const user = sc["runAsUser"] ?? pod["runAsUser"];
    return nonRoot === true || (typeof user === "number" && user > 0);
  });
}

/** An intOrString such as a PDB's minAvailable: 3 → 3, "50%" → 50, anything else → -1. */
export function intOrPercent(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") {
    const match = /^(\d+)%?$/.exec(value.trim());
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return -1;
}

const OPEN_CIDRS = new Set(["0.0.0.0/0", "::/0"]);

function isEmptyObj(value: unknown): boolean {
  return isObj(value) && Object.keys(value).length === 0;
}

/**
 * Field paths of a NetworkPolicy's allow-all openings: a rule with no peers, an empty peer, an
 * empty namespaceSelector without podSelector, or an ipBlock of 0.0.0.0/0 or ::/0.
 */
export function networkPolicyOpenings(object: unknown): string[] {
  if (!isObj(object) || !isObj(object["spec"])) return [];
  const spec = object["spec"];
  const out: string[] = [];
  for (const [direction, peersKey] of [
    ["ingress", "from"],
    ["egress", "to"],
  ] as const) {
    const rules = spec[direction];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule: unknown, i) => {
      const base = `spec.${direction}[${i}]`;
      if (!isObj(rule)) return;
      const peers = rule[peersKey];
      if (!Array.isArray(peers) || peers.length === 0) {
        out.push(`${base}.${peersKey}`);
        return;
      }
      peers.forEach((peer: unknown, j) => {
        const path = `${base}.${peersKey}[${j}]`;
        if (!isObj(peer) || isEmptyObj(peer)) out.push(path);
        else if (isEmptyObj(peer["namespaceSelector"]) && peer["podSelector"] === undefined) {
          out.push(`${path}.namespaceSelector`);
        } else if (isObj(peer["ipBlock"]) && OPEN_CIDRS.has(String(peer["ipBlock"]["cidr"]))) {
          out.push(`${path}.ipBlock.cidr`);
        }
      });
    });
  }
  return out;
}

/** A Linux capability name without the `CAP_` prefix, upper case: `cap_sys_admin` → `SYS_ADMIN`. */
export function capability(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith("CAP_") ? upper.slice(4) : upper;
}

/** One level of nesting removed: `[[a], [b, c]]` → `[a, b, c]` (non-list elements are kept as they are). */
export function flatten(list: unknown): unknown[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => (Array.isArray(item) ? (item as unknown[]) : [item]));
}

function segments(path: string): string[] {
  return path.split(".");
}

/** True when a path (as segments) lies under one of the prefixes; `*` in a prefix matches any one segment. */
function under(path: readonly string[], prefixes: readonly string[][]): boolean {
  return prefixes.some((p) => p.length <= path.length && p.every((seg, i) => seg === "*" || seg === path[i]));
}

/** Finds a difference outside the prefixes, stopping at the first one. Lists are walked by name or index. */
function differsOutside(a: unknown, b: unknown, path: string[], prefixes: readonly string[][]): boolean {
  if (a === b || under(path, prefixes)) return false;
  if (isObj(a) && isObj(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      path.push(key);
      const differs = differsOutside(a[key], b[key], path, prefixes);
      path.pop();
      if (differs) return true;
    }
    return false;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return true;
    const byNameA = namedList(a);
    const byNameB = namedList(b);
    if (byNameA !== undefined && byNameB !== undefined && byNameA.size > 0) {
      for (const [name, item] of byNameA) {
        if (!byNameB.has(name)) return true;
        path.push(name);
        const differs = differsOutside(item, byNameB.get(name), path, prefixes);
        path.pop();
        if (differs) return true;
      }
      return false;
    }
    for (let i = 0; i < a.length; i++) {
      path.push(String(i));
      const differs = differsOutside(a[i], b[i], path, prefixes);
      path.pop();
      if (differs) return true;
    }
    return false;
  }
  return JSON.stringify(a) !== JSON.stringify(b);
}

/**
 * Whether the two objects differ, and only under the given dotted prefixes (`metadata.labels`;
 * list elements are named by their `name` or index, and `*` matches any one segment, as in
 * `spec.template.spec.containers.*.image`). Stops at the first difference outside them.
 */
export function onlyChanged(before: unknown, after: unknown, prefixes: readonly string[]): boolean {
  if (!isObj(before) || !isObj(after)) return false;
  if (differsOutside(before, after, [], prefixes.map(segments))) return false;
  return JSON.stringify(before) !== JSON.stringify(after);
}

/** An env var set to a literal value that looks like a credential, with its field path. */
export interface SecretEnv {
  path: string;
  container: string;
  env: string;
}

/**
 * Env vars of every container whose literal `value` looks like a credential: by name
 * (DB_PASSWORD, API_KEY...) or by value format. `valueFrom` references are fine. Values are never returned.
 */
export function secretEnv(object: unknown): SecretEnv[] {
  const out: SecretEnv[] = [];
  for (const c of containers(object)) {
    const env = c.spec["env"];
    if (!Array.isArray(env)) continue;
    for (const e of env) {
      if (!isObj(e) || typeof e["name"] !== "string" || typeof e["value"] !== "string" || e["value"] === "")
        continue;
      if (secretLikeName(e["name"]) || secretLikeValue(e["value"])) {
        out.push({ path: `${c.path}.env[name=${e["name"]}].value`, container: c.name, env: e["name"] });
      }
    }
  }
  return out;
}

const SECRET_NAME =
  /pass(word|wd)?($|_)|secret|token|api_?key|private_?key|access_?key|credential|(^|_)auth($|_)/i;
const SECRET_VALUE =
  /^(AKIA|ASIA)[0-9A-Z]{16}$|^gh[pousr]_[A-Za-z0-9]{36,}|^github_pat_|^xox[abprs]-|-----BEGIN [A-Z ]*PRIVATE KEY-----|^sk_live_|^glpat-/;

/** An env var or key name that usually holds a credential (DB_PASSWORD, API_KEY, GITHUB_TOKEN...). */
export function secretLikeName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A value in a known credential format (AWS access key id, GitHub/GitLab/Slack/Stripe tokens, PEM private key). */
export function secretLikeValue(value: string): boolean {
  return SECRET_VALUE.test(value);
}
