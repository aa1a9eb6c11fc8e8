/**
 * The fields that matter on the kinds that shape the API itself (admission webhooks, APIServices,
 * CustomResourceDefinitions), compared with the API server's defaults filled in, so that labels,
 * annotations, descriptions and a default written out explicitly are not changes.
 */
import { valueKey } from "./value-key.js";

type Obj = Record<string, unknown>;

/** A change on one of these kinds: the field path, and what happened in words. */
export interface SurfaceChange {
  path: string;
  what: string;
}

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return valueKey(a ?? null) === valueKey(b ?? null);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** admissionregistration.k8s.io/v1 defaults, as the API server stores a webhook. */
function webhookWithDefaults(webhook: Obj, mutating: boolean): Obj {
  const clientConfig = isObj(webhook["clientConfig"]) ? { ...webhook["clientConfig"] } : {};
  if (isObj(clientConfig["service"])) clientConfig["service"] = { port: 443, ...clientConfig["service"] };
  return {
    clientConfig,
    rules: list(webhook["rules"]).map((r) => (isObj(r) ? { scope: "*", ...r } : r)),
    failurePolicy: webhook["failurePolicy"] ?? "Fail",
    matchPolicy: webhook["matchPolicy"] ?? "Equivalent",
    namespaceSelector: webhook["namespaceSelector"] ?? {},
    objectSelector: webhook["objectSelector"] ?? {},
    sideEffects: webhook["sideEffects"] ?? null,
    timeoutSeconds: webhook["timeoutSeconds"] ?? 10,
    matchConditions: webhook["matchConditions"] ?? [],
    ...(mutating ? { reinvocationPolicy: webhook["reinvocationPolicy"] ?? "Never" } : {}),
  };
}

const WEBHOOK_FIELDS = [
  "clientConfig",
  "rules",
  "failurePolicy",
  "matchPolicy",
  "namespaceSelector",
  "objectSelector",
  "sideEffects",
  "timeoutSeconds",
  "matchConditions",
  "reinvocationPolicy",
];

function webhooksByName(object: unknown, mutating: boolean): Map<string, Obj> {
  const out = new Map<string, Obj>();
  if (!isObj(object)) return out;
  list(object["webhooks"]).forEach((w, i) => {
    if (isObj(w))
      out.set(typeof w["name"] === "string" ? w["name"] : `#${i}`, webhookWithDefaults(w, mutating));
  });
  return out;
}

/**
 * Webhook changes that matter: a new or removed webhook, or a change to what it intercepts, where
 * it sends requests, or how failures are treated. Metadata alone gives none.
 */
export function webhookChanges(before: unknown, after: unknown): SurfaceChange[] {
  const kind = isObj(after) ? after["kind"] : isObj(before) ? before["kind"] : undefined;
  const mutating = kind === "MutatingWebhookConfiguration";
  const old = webhooksByName(before, mutating);
  const now = webhooksByName(after, mutating);
  const out: SurfaceChange[] = [];
  for (const [name, webhook] of now) {
    const path = `webhooks[name=${name}]`;
    const previous = old.get(name);
    if (previous === undefined) {
      out.push({ path, what: `webhook ${name} is added` });
      continue;
    }
    const changed = WEBHOOK_FIELDS.filter((f) => !same(previous[f], webhook[f]));
    if (changed.length > 0) out.push({ path, what: `webhook ${name} changes ${changed.join(", ")}` });
  }
  for (const name of old.keys())
    if (!now.has(name)) out.push({ path: `webhooks[name=${name}]`, what: `webhook ${name} is removed` });
  return out;
}

/** The admission policy kinds carry everything that matters in `spec`. */
export function specChanges(before: unknown, after: unknown): SurfaceChange[] {
  const a = isObj(before) ? before["spec"] : undefined;
  const b = isObj(after) ? after["spec"] : undefined;
  return same(a, b) ? [] : [{ path: "spec", what: "its spec changes" }];
}

const API_SERVICE_FIELDS = [
  "service",
  "caBundle",
  "insecureSkipTLSVerify",
  "group",
  "version",
  "groupPriorityMinimum",
  "versionPriority",
];

/** APIService fields that route an API group and decide how far it is trusted (port defaults to 443). */
export function apiServiceChanges(before: unknown, after: unknown): SurfaceChange[] {
  const spec = (o: unknown): Obj => {
    const s = isObj(o) && isObj(o["spec"]) ? { ...o["spec"] } : {};
    if (isObj(s["service"])) s["service"] = { port: 443, ...s["service"] };
    s["insecureSkipTLSVerify"] = s["insecureSkipTLSVerify"] ?? false;
    return s;
  };
  const a = spec(before);
  const b = spec(after);
  const changed = API_SERVICE_FIELDS.filter((f) => !same(a[f], b[f]));
  return changed.length === 0 ? [] : [{ path: "spec", what: `${changed.join(", ")} change` }];
}
