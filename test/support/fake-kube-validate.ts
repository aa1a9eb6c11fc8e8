/** Validation of the fake API server: identity, names, size limits, CRD shape; its error type. */
import type { FakeResource } from "./fake-kube-resources.js";

type Obj = Record<string, unknown>;

export const MiB = 1024 * 1024;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
  ) {
    super(message);
  }
}

export function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
    ...(details ? { details } : {}),
  };
}

export function isMap(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function meta(o: Obj): Obj {
  if (!isMap(o["metadata"])) o["metadata"] = {};
  return o["metadata"] as Obj;
}

/** What the API server checks of every written object before storage (names, identity, sizes). */
export function validateObject(
  r: FakeResource,
  gv: string,
  namespace: string,
  name: string,
  object: Obj,
): void {
  if (object["apiVersion"] !== gv || object["kind"] !== r.kind) {
    throw new HttpError(
      400,
      "BadRequest",
      `the API version and kind in the body (${String(object["apiVersion"])} ${String(object["kind"])}) do not match the URL (${gv} ${r.kind})`,
    );
  }
  const m = meta(object);
  if (m["name"] !== name)
    throw new HttpError(
      400,
      "BadRequest",
      `the name of the object (${String(m["name"])}) does not match the name on the URL (${name})`,
    );
  if (m["namespace"] !== undefined && m["namespace"] !== namespace) {
    throw new HttpError(
      400,
      "BadRequest",
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
  const pattern = r.kind === "Namespace" ? DNS_LABEL : DNS_SUBDOMAIN;
  if (!pattern.test(name)) {
    throw new HttpError(
      422,
      "Invalid",
      `${r.kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": must be a lowercase RFC 1123 ${r.kind === "Namespace" ? "label" : "subdomain"}`,
      {
        name,
        kind: r.kind,
        causes: [{ reason: "FieldValueInvalid", field: "metadata.name" }],
      },
    );
  }
  if (r.kind === "ConfigMap" || r.kind === "Secret") {
    let total = 0;
    for (const field of ["data", "binaryData", "stringData"]) {
      const values = object[field];
      if (!isMap(values)) continue;
      for (const [k, v] of Object.entries(values)) {
        const bytes =
          field === "binaryData" || (r.kind === "Secret" && field === "data")
            ? Buffer.from(String(v), "base64").length
            : Buffer.byteLength(String(v));
        total += k.length + bytes;
      }
    }
    if (total > MiB) {
      throw new HttpError(
        422,
        "Invalid",
        `${r.kind} "${name}" is invalid: []: Too long: must have at most ${MiB} bytes`,
        {
          name,
          kind: r.kind,
          causes: [{ reason: "FieldValueTooLong", field: "[]" }],
        },
      );
    }
  }
}

export function validateCrd(name: string, crd: Obj): void {
  const spec = crd["spec"];
  const invalid = (field: string) =>
    new HttpError(
      422,
      "Invalid",
      `CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: ${field}: Required value`,
    );
  if (!isMap(spec)) throw invalid("spec");
  const names = spec["names"];
  if (typeof spec["group"] !== "string" || !spec["group"]) throw invalid("spec.group");
  if (!isMap(names) || typeof names["plural"] !== "string" || typeof names["kind"] !== "string")
    throw invalid("spec.names");
  if (name !== `${names["plural"]}.${spec["group"]}`) {
    throw new HttpError(
      422,
      "Invalid",
      `CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: metadata.name: Invalid value: "${name}": must be spec.names.plural+"."+spec.group`,
    );
  }
  if (spec["scope"] !== "Namespaced" && spec["scope"] !== "Cluster") throw invalid("spec.scope");
  if (!Array.isArray(spec["versions"]) || spec["versions"].length === 0) throw invalid("spec.versions");
}

export function matchesSelector(o: Obj, selector: string | undefined): boolean {
  if (!selector) return true;
  const labels = (meta(o)["labels"] ?? {}) as Record<string, string>;
  return selector.split(",").every((term) => {
    const t = term.trim();
    if (t.startsWith("!")) return !(t.slice(1) in labels);
    const [k, v] = t.split(/!=|==|=/).map((s) => s.trim());
    if (v === undefined) return k! in labels;
    return t.includes("!=") ? labels[k!] !== v : labels[k!] === v;
  });
}
