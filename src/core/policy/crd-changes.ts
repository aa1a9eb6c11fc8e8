/**
 * What a CustomResourceDefinition change does to the API, with descriptions and metadata folded
 * away: scope, versions, storage and conversion (critical: stored objects can become unreadable or
 * be handed to a webhook), schema tightening (high: objects that were valid are refused or pruned),
 * and other schema changes (medium). Used by the policy and by the report's CRD summary.
 */
import { valueKey } from "./value-key.js";

type Obj = Record<string, unknown>;

export type CrdSeverity = "critical" | "high" | "medium";

export interface CrdChange {
  path: string;
  what: string;
  severity: CrdSeverity;
  /** For the report: added, removed, tightened, loosened or changed. */
  effect: "added" | "removed" | "tightened" | "loosened" | "changed";
}

/** Words that document a schema without constraining it. */
const DOCUMENTATION = new Set(["description", "example", "externalDocs", "title", "$schema"]);
/** Schema nodes compared per CRD change at most: a bound for hostile input. */
const MAX_NODES = 50_000;

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return valueKey(a ?? null) === valueKey(b ?? null);
}

function versions(crd: unknown): Map<string, Obj> {
  const out = new Map<string, Obj>();
  const spec = isObj(crd) && isObj(crd["spec"]) ? crd["spec"] : {};
  if (Array.isArray(spec["versions"]))
    for (const v of spec["versions"]) if (isObj(v) && typeof v["name"] === "string") out.set(v["name"], v);
  return out;
}

function specOf(crd: unknown): Obj {
  return isObj(crd) && isObj(crd["spec"]) ? crd["spec"] : {};
}

/** Where a conversion webhook sends objects, in words: the service, or the external URL's host. */
function conversionTarget(spec: Obj): string | undefined {
  const conversion = isObj(spec["conversion"]) ? spec["conversion"] : {};
  if (conversion["strategy"] !== "Webhook") return undefined;
  const webhook = isObj(conversion["webhook"]) ? conversion["webhook"] : {};
  const client = isObj(webhook["clientConfig"])
    ? webhook["clientConfig"]
    : isObj(conversion["webhookClientConfig"])
      ? conversion["webhookClientConfig"]
      : {};
  if (typeof client["url"] === "string") {
    let host = "an unparseable URL";
    try {
      host = new URL(client["url"]).host;
    } catch {
      // keep the generic text: the URL is not echoed
    }
    return `the external URL host ${host} (outside the cluster)`;
  }
  const service = isObj(client["service"]) ? client["service"] : {};
  return `service ${String(service["namespace"] ?? "?")}/${String(service["name"] ?? "?")}`;
}

/** Changes that matter between two versions of a CRD; `before` is null for a creation. */
export function crdChanges(before: unknown, after: unknown): CrdChange[] {
  const out: CrdChange[] = [];
  const a = specOf(before);
  const b = specOf(after);
  const created = before === null || before === undefined;
  const target = conversionTarget(b);
  const conversionChanged = created
    ? target !== undefined
    : !same({ c: a["conversion"] ?? { strategy: "None" } }, { c: b["conversion"] ?? { strategy: "None" } });
  if (conversionChanged && target !== undefined && after !== null)
    out.push({
      path: "spec.conversion",
      what: `stored objects are converted by a webhook at ${target}`,
      severity: "critical",
      effect: "changed",
    });
  if (created || after === null || after === undefined) return out;
  if ((a["scope"] ?? "Namespaced") !== (b["scope"] ?? "Namespaced"))
    out.push({
      path: "spec.scope",
      what: `scope changes from ${String(a["scope"])} to ${String(b["scope"])}`,
      severity: "critical",
      effect: "changed",
    });
  const old = versions(before);
  const now = versions(after);
  const storage = (m: Map<string, Obj>) => [...m.values()].find((v) => v["storage"] === true)?.["name"];
  if (storage(old) !== storage(now))
    out.push({
      path: "spec.versions",
      what: `the storage version changes from ${String(storage(old))} to ${String(storage(now))}`,
      severity: "critical",
      effect: "changed",
    });
  const budget = { nodes: MAX_NODES };
  for (const [name, version] of old) {
    const path = `spec.versions[name=${name}]`;
    const next = now.get(name);
    if (next === undefined) {
      out.push({ path, what: `version ${name} is removed`, severity: "critical", effect: "removed" });
      continue;
    }
    if (version["served"] !== false && next["served"] === false)
      out.push({
        path: `${path}.served`,
        what: `version ${name} is no longer served`,
        severity: "critical",
        effect: "removed",
      });
    const schema = (v: Obj) => (isObj(v["schema"]) ? v["schema"]["openAPIV3Schema"] : undefined);
    compareSchema(schema(version), schema(next), `${path}.schema.openAPIV3Schema`, out, budget);
  }
  for (const name of now.keys())
    if (!old.has(name))
      out.push({
        path: `spec.versions[name=${name}]`,
        what: `version ${name} is added`,
        severity: "medium",
        effect: "added",
      });
  return out;
}

const LOWER_IS_TIGHTER = ["maxLength", "maxItems", "maxProperties", "maximum"];
const HIGHER_IS_TIGHTER = ["minLength", "minItems", "minProperties", "minimum"];

function compareSchema(
  a: unknown,
  b: unknown,
  path: string,
  out: CrdChange[],
  budget: { nodes: number },
): void {
  if (--budget.nodes < 0) return;
  if (!isObj(a) || !isObj(b)) {
    if (!same(a, b)) out.push({ path, what: `${path} changes`, severity: "medium", effect: "changed" });
    return;
  }
  const tightened = (what: string, at = path) =>
    out.push({ path: at, what, severity: "high", effect: "tightened" });
  const changed = (what: string, at = path, effect: CrdChange["effect"] = "changed") =>
    out.push({ path: at, what, severity: "medium", effect });
  if (!same(a["type"], b["type"]))
    tightened(`type changes from ${String(a["type"])} to ${String(b["type"])}`);
  const aProps = isObj(a["properties"]) ? a["properties"] : {};
  const bProps = isObj(b["properties"]) ? b["properties"] : {};
  for (const key of Object.keys(aProps)) {
    const at = `${path}.properties.${key}`;
    if (!(key in bProps)) {
      // Without x-kubernetes-preserve-unknown-fields the API server prunes the field from stored objects.
      out.push({ path: at, what: `field ${key} is removed`, severity: "high", effect: "removed" });
    } else compareSchema(aProps[key], bProps[key], at, out, budget);
  }
  for (const key of Object.keys(bProps))
    if (!(key in aProps)) changed(`field ${key} is added`, `${path}.properties.${key}`, "added");
  const aRequired = new Set(Array.isArray(a["required"]) ? a["required"] : []);
  const newlyRequired = (Array.isArray(b["required"]) ? b["required"] : []).filter((r) => !aRequired.has(r));
  if (newlyRequired.length > 0) tightened(`${newlyRequired.map(String).join(", ")} become required`);
  if (Array.isArray(b["enum"])) {
    const aEnum = Array.isArray(a["enum"]) ? a["enum"].map((v) => valueKey(v)) : undefined;
    const bEnum = new Set(b["enum"].map((v) => valueKey(v)));
    if (aEnum === undefined || aEnum.some((v) => !bEnum.has(v)))
      tightened("allowed values are narrowed (enum)");
    else if (aEnum.length !== bEnum.size) changed("allowed values are widened (enum)", path, "loosened");
  } else if (Array.isArray(a["enum"])) changed("the enum is dropped", path, "loosened");
  if (!same(a["pattern"], b["pattern"]) && b["pattern"] !== undefined) tightened("the pattern changes");
  for (const k of LOWER_IS_TIGHTER) {
    const x = a[k];
    const y = b[k];
    if (typeof y === "number" && (typeof x !== "number" || y < x)) tightened(`${k} is lowered to ${y}`);
    else if (!same(x, y)) changed(`${k} changes`, path, "loosened");
  }
  for (const k of HIGHER_IS_TIGHTER) {
    const x = a[k];
    const y = b[k];
    if (typeof y === "number" && (typeof x !== "number" || y > x)) tightened(`${k} is raised to ${y}`);
    else if (!same(x, y)) changed(`${k} changes`, path, "loosened");
  }
  if (
    !same(a["x-kubernetes-validations"], b["x-kubernetes-validations"]) &&
    b["x-kubernetes-validations"] !== undefined
  )
    tightened("validation rules (x-kubernetes-validations) change");
  if (a["nullable"] === true && b["nullable"] !== true) tightened("null is no longer allowed");
  if (
    a["x-kubernetes-preserve-unknown-fields"] === true &&
    b["x-kubernetes-preserve-unknown-fields"] !== true
  )
    tightened("unknown fields are pruned (x-kubernetes-preserve-unknown-fields removed)");
  if (isObj(a["items"]) || isObj(b["items"]))
    compareSchema(a["items"], b["items"], `${path}.items`, out, budget);
  if (isObj(a["additionalProperties"]) && isObj(b["additionalProperties"]))
    compareSchema(
      a["additionalProperties"],
      b["additionalProperties"],
      `${path}.additionalProperties`,
      out,
      budget,
    );
  const handled = new Set([
    "type",
    "properties",
    "required",
    "enum",
    "pattern",
    ...LOWER_IS_TIGHTER,
    ...HIGHER_IS_TIGHTER,
    "x-kubernetes-validations",
    "nullable",
    "x-kubernetes-preserve-unknown-fields",
    "items",
    ...DOCUMENTATION,
  ]);
  if (!(isObj(a["additionalProperties"]) && isObj(b["additionalProperties"])))
    handled.delete("additionalProperties");
  else handled.add("additionalProperties");
  const rest = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !handled.has(k)));
  for (const k of rest) if (!same(a[k], b[k])) changed(`${k} changes`, `${path}.${k}`);
}
