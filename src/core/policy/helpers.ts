/**
 * Helpers exposed to CEL rules: the pod spec wherever it lives, containers and volumes with their
 * field paths, "which fields changed" and image reference parsing. Plain functions of their inputs.
 */

import { valueKey } from "./value-key.js";

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
  // Argo Rollouts: a Deployment replacement common in GitOps repositories (spec.template.spec).
  "Rollout",
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

/** An image reference split into registry, repository, tag and digest. */
export interface ImageRef {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
}

const DOCKER_HUB_ALIASES = new Set(["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]);

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
      // Host names are case-insensitive; Docker Hub answers to several names.
      registry = head.toLowerCase();
      if (DOCKER_HUB_ALIASES.has(registry)) registry = "docker.io";
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

/**
 * Prefix lengths below this open (nearly) the whole address space: 0.0.0.0/0, ::/0, but also the
 * internet split into halves (0.0.0.0/1 + 128.0.0.0/1), which an exact-match list would miss.
 * The widest private range, 10.0.0.0/8, stays quiet.
 */
const MIN_NARROW_PREFIX = 8;

function isOpenCidr(cidr: unknown): boolean {
  if (typeof cidr !== "string") return false;
  const match = /\/\s*(\d+)\s*$/.exec(cidr);
  // No prefix length is not a valid CIDR; the API server rejects it, so it cannot widen anything.
  return match?.[1] !== undefined && Number(match[1]) < MIN_NARROW_PREFIX;
}

function isEmptyObj(value: unknown): boolean {
  return isObj(value) && Object.keys(value).length === 0;
}

/**
 * Field paths of a NetworkPolicy's allow-all openings: a rule with no peers, an empty peer, an
 * empty namespaceSelector with no or an empty podSelector (every pod of every namespace), or an
 * ipBlock wider than a /8 (0.0.0.0/0, ::/0, 0.0.0.0/1...). With `allPortsOnly`, only those of
 * rules that name no ports.
 */
export function networkPolicyOpenings(object: unknown, allPortsOnly = false): string[] {
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
      // With ports the rule opens those ports only: not all traffic.
      if (allPortsOnly && Array.isArray(rule["ports"]) && rule["ports"].length > 0) return;
      const peers = rule[peersKey];
      if (!Array.isArray(peers) || peers.length === 0) {
        out.push(`${base}.${peersKey}`);
        return;
      }
      peers.forEach((peer: unknown, j) => {
        const path = `${base}.${peersKey}[${j}]`;
        if (!isObj(peer) || isEmptyObj(peer)) out.push(path);
        else if (
          isEmptyObj(peer["namespaceSelector"]) &&
          (peer["podSelector"] === undefined || isEmptyObj(peer["podSelector"]))
        ) {
          out.push(`${path}.namespaceSelector`);
        } else if (isObj(peer["ipBlock"]) && isOpenCidr(peer["ipBlock"]["cidr"])) {
          out.push(`${path}.ipBlock.cidr`);
        }
      });
    });
  }
  return out;
}

/**
 * An absolute path in its plain form, as the node resolves it: `//`, `/./` and a trailing `/`
 * collapsed, `..` applied (`/./etc/` → `/etc`, `/.` → `/`). So `/.` cannot pass for something
 * other than the node's root. A relative path is returned as it is.
 */
export function cleanPath(path: string): string {
  if (!path.startsWith("/")) return path;
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return `/${out.join("/")}`;
}

/**
 * The elements of `after` that `before` does not hold (by value), as `[{index, value}]`: linear,
 * where CEL's `!(x in before)` inside a filter is quadratic and hangs on a binding with tens of
 * thousands of subjects. Anything but a list counts as empty.
 */
export function added(before: unknown, after: unknown): { index: number; value: unknown }[] {
  if (!Array.isArray(after)) return [];
  const seen = new Set(Array.isArray(before) ? before.map((v: unknown) => valueKey(v)) : []);
  const out: { index: number; value: unknown }[] = [];
  after.forEach((value: unknown, index) => {
    if (!seen.has(valueKey(value))) out.push({ index, value });
  });
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

/**
 * Binding subjects as the API server defaults them: a ServiceAccount's `apiGroup` is "", a User's
 * or Group's is rbac.authorization.k8s.io, so writing the default out is not a new subject.
 */
export function rbacSubjects(list: unknown): unknown[] {
  if (!Array.isArray(list)) return [];
  return list.map((subject: unknown) => {
    if (!isObj(subject)) return subject;
    const kind = subject["kind"];
    const apiGroup = kind === "ServiceAccount" ? "" : "rbac.authorization.k8s.io";
    return { ...subject, apiGroup: subject["apiGroup"] ?? apiGroup };
  });
}

/** Field path of the pod template's metadata (`metadata` of a Pod, `spec.template.metadata`…); "" if none. */
export function podMetadataPath(object: unknown): string {
  const spec = podSpecPath(object);
  if (spec === undefined) return "";
  return spec === "spec" ? "metadata" : `${spec.slice(0, -".spec".length)}.metadata`;
}
