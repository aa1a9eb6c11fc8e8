/**
 * ClusterApplier over the Kubernetes API: server-side apply with countersign's field manager,
 * server-side dry run, foreground delete, get, discovery-based scope and the CRD Established wait.
 */
import { FIELD_MANAGER } from "../core/constants.js";
import type { KubeObject } from "../core/model.js";
import { ClusterApiError } from "../core/ports/cluster.js";
import type { ApplyOptions, ApplyOutcome, ClusterApplier, ObjectRef } from "../core/ports/cluster.js";
import { apiVersionPath, Discovery } from "./discovery.js";
import type { KubeTransport } from "./kube-http.js";

/** Server-side apply's content type (the body is JSON, which is YAML). */
export const APPLY_PATCH_CONTENT_TYPE = "application/apply-patch+yaml";

export interface KubeClusterApplierOptions {
  /** Default FIELD_MANAGER; only tests of conflicts between managers use another one. */
  fieldManager?: string;
  /** Shared discovery cache (the inventory and lease adapters do not need one). */
  discovery?: Discovery;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const NAME = /^[a-z0-9A-Z]([-a-z0-9A-Z_.:]{0,251}[a-z0-9A-Z])?$/;

function refOf(object: KubeObject): ObjectRef {
  const metadata = object["metadata"];
  const m = metadata !== null && typeof metadata === "object" ? (metadata as Record<string, unknown>) : {};
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof m["name"] !== "string") {
    throw new ClusterApiError(
      "applying an object",
      400,
      "BadRequest",
      "object has no apiVersion, kind or metadata.name",
    );
  }
  const namespace = typeof m["namespace"] === "string" ? m["namespace"] : "";
  return { apiVersion, kind, namespace, name: m["name"] };
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.apiVersion} ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

function resourceVersionOf(object: unknown): string | undefined {
  const metadata = (object as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata;
  return typeof metadata?.resourceVersion === "string" ? metadata.resourceVersion : undefined;
}

/** Canonical JSON (sorted keys) so two answers are compared by content, not key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export class KubeClusterApplier implements ClusterApplier {
  readonly discovery: Discovery;
  private readonly fieldManager: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly transport: KubeTransport,
    options: KubeClusterApplierOptions = {},
  ) {
    this.discovery = options.discovery ?? new Discovery(transport);
    this.fieldManager = options.fieldManager ?? FIELD_MANAGER;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Applies and tells created / configured / unchanged apart from the object as it was just
   * before: absent -> created; otherwise a real apply that did not move the resourceVersion
   * changed nothing (the API server does not write no-op updates), and a dry run that returns the
   * live object unchanged (same fields, same managed fields) would change nothing.
   */
  async apply(object: KubeObject, options: ApplyOptions): Promise<ApplyOutcome> {
    const ref = refOf(object);
    const operation = `${options.dryRun ? "dry-run applying" : "applying"} ${describeRef(ref)}`;
    const path = await this.objectPath(ref, operation);
    const before = await this.read(path, `reading ${describeRef(ref)} before applying it`);
    const { status, body } = await this.transport.request({
      method: "PATCH",
      path,
      query: {
        fieldManager: this.fieldManager,
        force: options.force ? "true" : undefined,
        dryRun: options.dryRun ? "All" : undefined,
      },
      body: object,
      contentType: APPLY_PATCH_CONTENT_TYPE,
      idempotent: true,
      operation,
    });
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new ClusterApiError(
        operation,
        status,
        "",
        `${operation}: the API server answered without an object`,
      );
    }
    const live = body as KubeObject;
    if (before === undefined) return { result: "created", live };
    const unchanged = options.dryRun
      ? canonical(before) === canonical(live)
      : resourceVersionOf(before) === resourceVersionOf(live) && resourceVersionOf(live) !== undefined;
    return { result: unchanged ? "unchanged" : "configured", live };
  }

  async delete(ref: ObjectRef, options: { dryRun: boolean }): Promise<"deleted" | "absent"> {
    const operation = `${options.dryRun ? "dry-run deleting" : "deleting"} ${describeRef(ref)}`;
    const resource = await this.discovery.resource(ref.apiVersion, ref.kind);
    // A kind the server no longer serves has no objects left to delete.
    if (!resource) return "absent";
    const path = this.pathFor(ref, resource.name, resource.namespaced, operation);
    try {
      await this.transport.request({
        method: "DELETE",
        path,
        query: { dryRun: options.dryRun ? "All" : undefined },
        body: { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Foreground" },
        idempotent: true,
        operation,
      });
      return "deleted";
    } catch (error) {
      if (error instanceof ClusterApiError && error.status === 404) return "absent";
      throw error;
    }
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const operation = `reading ${describeRef(ref)}`;
    const resource = await this.discovery.resource(ref.apiVersion, ref.kind);
    if (!resource) return undefined;
    return this.read(this.pathFor(ref, resource.name, resource.namespaced, operation), operation);
  }

  async scopeOf(apiVersion: string, kind: string): Promise<"Namespaced" | "Cluster" | undefined> {
    const resource = await this.discovery.resource(apiVersion, kind);
    if (!resource) return undefined;
    return resource.namespaced ? "Namespaced" : "Cluster";
  }

  /**
   * Polls the CRD (100 ms, growing to 1 s) until Established=True; fails at once when its names
   * were refused (NamesAccepted=False), and with reason "Timeout" after `timeoutMs`.
   */
  async waitForCrdEstablished(name: string, timeoutMs: number): Promise<void> {
    const operation = `waiting for CustomResourceDefinition ${name} to be Established`;
    if (!NAME.test(name))
      throw new ClusterApiError(operation, 400, "BadRequest", `${operation}: invalid name`);
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}`;
    const deadline = this.now() + timeoutMs;
    let interval = 100;
    for (;;) {
      const crd = await this.read(path, operation);
      const conditions = (crd?.["status"] as { conditions?: unknown } | undefined)?.conditions;
      const list = Array.isArray(conditions) ? (conditions as Record<string, unknown>[]) : [];
      const established = list.find((c) => c["type"] === "Established");
      const names = list.find((c) => c["type"] === "NamesAccepted");
      // Established, and its kind served by discovery: scopeOf and apply must see it now.
      if (established?.["status"] === "True" && (await this.servesKindOf(crd))) return;
      if (names?.["status"] === "False") {
        const why = typeof names["message"] === "string" ? names["message"] : "names not accepted";
        throw new ClusterApiError(operation, 422, "NamesNotAccepted", `${operation}: ${why}`);
      }
      const left = deadline - this.now();
      if (left <= 0) {
        throw new ClusterApiError(
          operation,
          504,
          "Timeout",
          `${operation}: not Established after ${timeoutMs} ms`,
        );
      }
      await this.sleep(Math.min(interval, left));
      interval = Math.min(interval * 1.5, 1_000);
    }
  }

  /** Whether discovery serves the CRD's kind in its first served version (cache refreshed first). */
  private async servesKindOf(crd: KubeObject | undefined): Promise<boolean> {
    const spec = crd?.["spec"] as
      { group?: unknown; names?: { kind?: unknown }; versions?: unknown } | undefined;
    const versions = Array.isArray(spec?.versions) ? (spec.versions as Record<string, unknown>[]) : [];
    const version = versions.find((v) => v["served"] !== false)?.["name"];
    if (
      typeof spec?.group !== "string" ||
      typeof spec.names?.kind !== "string" ||
      typeof version !== "string"
    ) {
      return true; // Nothing to look up: Established is all there is to wait for.
    }
    this.discovery.invalidateGroup(spec.group);
    return (await this.discovery.resource(`${spec.group}/${version}`, spec.names.kind)) !== undefined;
  }

  private async read(path: string, operation: string): Promise<KubeObject | undefined> {
    try {
      const { body } = await this.transport.request({ method: "GET", path, idempotent: true, operation });
      return body !== null && typeof body === "object" ? (body as KubeObject) : undefined;
    } catch (error) {
      if (error instanceof ClusterApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  private async objectPath(ref: ObjectRef, operation: string): Promise<string> {
    const resource = await this.discovery.resource(ref.apiVersion, ref.kind);
    if (!resource) {
      throw new ClusterApiError(
        operation,
        404,
        "NotFound",
        `${operation}: the API server does not serve kind ${ref.kind} in ${ref.apiVersion}`,
      );
    }
    return this.pathFor(ref, resource.name, resource.namespaced, operation);
  }

  private pathFor(ref: ObjectRef, resource: string, namespaced: boolean, operation: string): string {
    if (!NAME.test(ref.name) || (ref.namespace !== "" && !NAME.test(ref.namespace))) {
      throw new ClusterApiError(operation, 400, "BadRequest", `${operation}: invalid name or namespace`);
    }
    if (namespaced && ref.namespace === "") {
      throw new ClusterApiError(
        operation,
        400,
        "BadRequest",
        `${operation}: ${ref.kind} is namespaced but no namespace was given`,
      );
    }
    if (!namespaced && ref.namespace !== "") {
      throw new ClusterApiError(
        operation,
        400,
        "BadRequest",
        `${operation}: ${ref.kind} is cluster-scoped but a namespace was given`,
      );
    }
    const base = apiVersionPath(ref.apiVersion);
    const ns = namespaced ? `/namespaces/${encodeURIComponent(ref.namespace)}` : "";
    return `${base}${ns}/${resource}/${encodeURIComponent(ref.name)}`;
  }
}
