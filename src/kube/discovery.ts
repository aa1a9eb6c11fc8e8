/**
 * API discovery: which resource (URL segment) serves a kind, and whether it is namespaced.
 * Cached per group/version; a kind missing from the cache is looked up again, so a kind added by
 * a CRD applied a moment ago is found without restarting.
 */
import { ClusterApiError } from "../core/ports/cluster.js";
import type { KubeTransport } from "./kube-http.js";

export interface ApiResource {
  /** Plural resource name used in URLs (`deployments`). */
  name: string;
  kind: string;
  namespaced: boolean;
}

const GROUP = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;
const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/;

/** `/api/v1` or `/apis/<group>/<version>`; throws on anything that is not a well-formed API version. */
export function apiVersionPath(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (!VERSION.test(version) || (group !== "" && !GROUP.test(group))) {
    throw new ClusterApiError(
      "resolving an API version",
      400,
      "BadRequest",
      `not a valid apiVersion: ${JSON.stringify(apiVersion.slice(0, 100))}`,
    );
  }
  return group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
}

export class Discovery {
  /** groupVersion -> kind -> resource; null when the server does not serve the group/version. */
  private readonly cache = new Map<string, Map<string, ApiResource> | null>();
  private readonly inflight = new Map<string, Promise<Map<string, ApiResource> | null>>();

  constructor(private readonly transport: KubeTransport) {}

  /** The resource serving `kind` in `apiVersion`, or undefined when the server does not serve it. */
  async resource(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const cached = this.cache.get(apiVersion);
    const hit = cached?.get(kind);
    if (hit) return hit;
    const fresh = await this.fetch(apiVersion);
    return fresh?.get(kind);
  }

  /** Forgets what is known about one API group (after a CRD of that group became Established). */
  invalidateGroup(group: string): void {
    for (const gv of this.cache.keys()) {
      const slash = gv.indexOf("/");
      if ((slash < 0 ? "" : gv.slice(0, slash)) === group) this.cache.delete(gv);
    }
  }

  private fetch(apiVersion: string): Promise<Map<string, ApiResource> | null> {
    let pending = this.inflight.get(apiVersion);
    if (!pending) {
      pending = this.load(apiVersion).finally(() => this.inflight.delete(apiVersion));
      this.inflight.set(apiVersion, pending);
    }
    return pending;
  }

  private async load(apiVersion: string): Promise<Map<string, ApiResource> | null> {
    const path = apiVersionPath(apiVersion);
    let body: unknown;
    try {
      ({ body } = await this.transport.request({
        method: "GET",
        path,
        idempotent: true,
        operation: `discovering the resources of ${apiVersion}`,
      }));
    } catch (error) {
      if (error instanceof ClusterApiError && error.status === 404) {
        this.cache.set(apiVersion, null);
        return null;
      }
      throw error;
    }
    const kinds = new Map<string, ApiResource>();
    const resources = (body as { resources?: unknown } | undefined)?.resources;
    if (Array.isArray(resources)) {
      for (const r of resources as Record<string, unknown>[]) {
        const name = r["name"];
        const kind = r["kind"];
        // Subresources (`deployments/status`) share the kind of their parent.
        if (typeof name !== "string" || typeof kind !== "string" || name.includes("/")) continue;
        kinds.set(kind, { name, kind, namespaced: r["namespaced"] === true });
      }
    }
    this.cache.set(apiVersion, kinds);
    return kinds;
  }
}
