/**
 * A stateful fake Kubernetes API server for tests and benchmarks (http on 127.0.0.1, random
 * port). It follows the API server's documented behaviour where countersign depends on it:
 *
 * - discovery: /api, /apis, /api/v1, /apis/<group>/<version> with namespaced flags, including the
 *   kinds of CRDs once they are Established;
 * - server-side apply (PATCH application/apply-patch+yaml): fieldManager required, managed fields
 *   per manager at leaf-field granularity, 409 Conflict (reason Conflict, causes
 *   FieldManagerConflict) when another manager owns a field with a different value and force is
 *   not set, force moves ownership, fields a manager stops applying are removed unless another
 *   manager owns them, 201 on create and 200 otherwise, no write (same resourceVersion) when
 *   nothing changed;
 * - dryRun=All on every write: validated and admitted, nothing persisted;
 * - create (POST, 409 AlreadyExists), get, list (labelSelector `k=v`, `k`, `!k`), update (PUT,
 *   resourceVersion precondition -> 409 Conflict), delete (404 NotFound when absent);
 * - resourceVersion (one global counter) and generation (bumped on changes outside metadata and
 *   status); namespaced objects need their Namespace (404 otherwise);
 * - CRDs get NamesAccepted and, after `crdEstablishDelayMs`, Established=True;
 * - ConfigMaps and Secrets over 1 MiB of data -> 422 Invalid; request bodies over 3 MiB -> 413;
 *   invalid names -> 422 Invalid;
 * - optional bearer token (401), per-request latency, injected error answers, refused connections.
 *
 * What it does NOT model: strategic-merge list semantics (associative lists keyed by name are
 * atomic leaves here, so two managers owning different containers conflict where the real server
 * would merge), defaulting and OpenAPI validation, schema conversion between versions (objects
 * are stored once and returned under the version asked for), subresources (status, scale),
 * finalizers and garbage collection (delete is immediate; deleting a Namespace removes its
 * objects at once instead of Terminating), watches, RBAC and admission webhooks (an `admit` hook
 * stands in for admission), merge/JSON/strategic patch types (415), field selectors, pagination,
 * the etcd 1.5 MiB limit of other kinds, and the exact wording of every message.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { FakeResource } from "./fake-kube-resources.js";
import { FakeObjectStore, HttpError, isMap, MiB, status } from "./fake-kube-store.js";
import type { FakeAdmissionDenial, FakeAdmissionRequest } from "./fake-kube-store.js";

export type { FakeAdmissionDenial, FakeAdmissionRequest } from "./fake-kube-store.js";

type Obj = Record<string, unknown>;

export interface FakeRequestInfo {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface FakeKubeApiOptions {
  /** Wait this long before answering every request. */
  latencyMs?: number;
  /** Require `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
  /** Delay before a CRD becomes Established. Default 0. */
  crdEstablishDelayMs?: number;
  /** Stand-in for admission (webhooks, policies): a denial answers the write with it. */
  admit?: (req: FakeAdmissionRequest) => FakeAdmissionDenial | undefined;
}

export interface FakeFault {
  status: number;
  /** How many matching requests get it. Default 1. */
  times?: number;
  method?: string;
  /** Matches when the path contains this. */
  pathIncludes?: string;
}

export class FakeKubeApi {
  readonly requests: FakeRequestInfo[] = [];
  private readonly server: http.Server;
  private readonly store: FakeObjectStore;
  private readonly registry: FakeObjectStore["registry"];
  private readonly sockets = new Set<Socket>();
  private faults: (FakeFault & { left: number })[] = [];
  private refusing = false;
  private port = 0;

  constructor(readonly options: FakeKubeApiOptions = {}) {
    this.store = new FakeObjectStore({
      ...(options.crdEstablishDelayMs ? { crdEstablishDelayMs: options.crdEstablishDelayMs } : {}),
      ...(options.admit ? { admit: options.admit } : {}),
    });
    this.registry = this.store.registry;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (socket: Socket) => {
      if (this.refusing) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  static async start(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
    const api = new FakeKubeApi(options);
    await new Promise<void>((resolve) => api.server.listen(0, "127.0.0.1", resolve));
    api.port = (api.server.address() as AddressInfo).port;
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A kubeconfig (YAML text) pointing at this server. */
  kubeconfigYaml(context = "fake"): string {
    const user = this.options.token
      ? `    token: ${this.options.token}\n`
      : `    username: fake\n    password: fake\n`;
    return [
      "apiVersion: v1",
      "kind: Config",
      `current-context: ${context}`,
      "clusters:",
      `- name: ${context}`,
      "  cluster:",
      `    server: ${this.url}`,
      "    insecure-skip-tls-verify: true",
      "users:",
      `- name: ${context}`,
      "  user:",
      user.trimEnd(),
      "contexts:",
      `- name: ${context}`,
      "  context:",
      `    cluster: ${context}`,
      `    user: ${context}`,
      "",
    ].join("\n");
  }

  /** Writes the kubeconfig into a fresh temporary directory and returns its path. */
  async writeKubeconfig(context = "fake"): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "cs-fake-kube-"));
    const path = join(dir, "kubeconfig");
    await writeFile(path, this.kubeconfigYaml(context), { mode: 0o600 });
    return path;
  }

  /** The next matching requests are answered with `status` (a Kubernetes Status body). */
  injectFault(fault: FakeFault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** While on, every new connection is closed at once (the client sees a reset). */
  refuseConnections(on: boolean): void {
    this.refusing = on;
    if (on) for (const s of this.sockets) s.destroy();
  }

  /** Stored object (a copy), by API group, plural resource, namespace ("" for cluster) and name. */
  object(group: string, plural: string, namespace: string, name: string): Obj | undefined {
    return this.store.object(group, plural, namespace, name);
  }

  /** Every stored object of a group/resource (copies). */
  objects(group: string, plural: string): Obj[] {
    return this.store.objects(group, plural);
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  /** Requests that wrote (or would write) something. */
  writeRequests(): FakeRequestInfo[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ method: req.method ?? "", path: url.pathname, query });
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > 3 * MiB) tooLarge = true;
      else chunks.push(chunk);
    }
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    const send = (code: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      if (this.options.token && req.headers.authorization !== `Bearer ${this.options.token}`) {
        throw new HttpError(401, "Unauthorized", "Unauthorized");
      }
      const fault = this.faults.find(
        (f) =>
          f.left > 0 &&
          (!f.method || f.method === req.method) &&
          (!f.pathIncludes || url.pathname.includes(f.pathIncludes)),
      );
      if (fault) {
        fault.left--;
        throw new HttpError(
          fault.status,
          ({ 409: "Conflict", 429: "TooManyRequests", 503: "ServiceUnavailable" } as Record<number, string>)[
            fault.status
          ] ?? "InternalError",
          "injected fault",
        );
      }
      if (tooLarge)
        throw new HttpError(413, "RequestEntityTooLarge", `Request entity too large: limit is ${3 * MiB}`);
      const [code, body] = this.route(
        req.method ?? "GET",
        url.pathname,
        query,
        req.headers["content-type"],
        Buffer.concat(chunks),
      );
      send(code, body);
    } catch (error) {
      if (error instanceof HttpError)
        send(error.status, status(error.status, error.reason, error.message, error.details));
      else send(500, status(500, "InternalError", error instanceof Error ? error.message : String(error)));
    }
  }

  private route(
    method: string,
    path: string,
    query: Record<string, string>,
    contentType: string | undefined,
    raw: Buffer,
  ): [number, unknown] {
    if (method === "GET" && path === "/api") return [200, { kind: "APIVersions", versions: ["v1"] }];
    if (method === "GET" && path === "/apis") return [200, this.groupList()];
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === "api" && parts.length >= 2) [group, version, rest] = ["", parts[1]!, parts.slice(2)];
    else if (parts[0] === "apis" && parts.length >= 3)
      [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
    else throw new HttpError(404, "NotFound", "the server could not find the requested resource");
    const gv = group ? `${group}/${version}` : version;
    if (rest.length === 0) {
      const resources = this.registry.resources(gv);
      if (method !== "GET" || !resources)
        throw new HttpError(404, "NotFound", "the server could not find the requested resource");
      return [200, this.resourceList(gv, resources)];
    }
    let namespace = "";
    if (rest[0] === "namespaces" && rest.length >= 3) {
      namespace = rest[1]!;
      rest = rest.slice(2);
    }
    const [plural, name, sub] = rest;
    const resource = plural ? this.registry.find(group, version, plural) : undefined;
    if (!resource || sub !== undefined || (namespace && !resource.namespaced)) {
      throw new HttpError(404, "NotFound", "the server could not find the requested resource");
    }
    const dryRun = query["dryRun"] === "All";
    if (query["dryRun"] !== undefined && !dryRun)
      throw new HttpError(400, "BadRequest", `invalid dryRun value ${query["dryRun"]}`);
    const body = () => this.parseBody(raw, contentType);
    if (name === undefined) {
      if (method === "GET") return [200, this.store.list(resource, gv, namespace, query["labelSelector"])];
      if (method === "POST") return [201, this.store.create(resource, gv, namespace, body(), query, dryRun)];
      throw new HttpError(405, "MethodNotAllowed", `${method} is not allowed on a collection`);
    }
    if (resource.namespaced && !namespace)
      throw new HttpError(404, "NotFound", "the server could not find the requested resource");
    switch (method) {
      case "GET":
        return [200, this.store.render(this.store.mustGet(resource, namespace, name))];
      case "PUT":
        return [200, this.store.update(resource, gv, namespace, name, body(), query, dryRun)];
      case "PATCH":
        if (contentType?.split(";")[0]?.trim() !== "application/apply-patch+yaml") {
          throw new HttpError(
            415,
            "UnsupportedMediaType",
            `the fake API server only supports server-side apply patches, not ${contentType}`,
          );
        }
        return this.store.apply(resource, gv, namespace, name, body(), query, dryRun);
      case "DELETE":
        return [200, this.store.delete(resource, namespace, name, dryRun)];
      default:
        throw new HttpError(405, "MethodNotAllowed", `${method} is not allowed`);
    }
  }

  private parseBody(raw: Buffer, contentType: string | undefined): Obj {
    let parsed: unknown;
    try {
      const text = raw.toString("utf8");
      // JSON is YAML: most clients send JSON even as apply-patch+yaml, and JSON.parse is far cheaper.
      parsed = contentType?.includes("yaml") && !/^\s*\{/.test(text) ? parseYaml(text) : JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, "BadRequest", `error decoding the request body: ${(error as Error).message}`);
    }
    if (!isMap(parsed)) throw new HttpError(400, "BadRequest", "the request body is not an object");
    return parsed;
  }

  private groupList(): Obj {
    const groups = new Map<string, string[]>();
    for (const gv of this.registry.groupVersions()) {
      const slash = gv.indexOf("/");
      if (slash < 0) continue;
      const g = gv.slice(0, slash);
      groups.set(g, [...(groups.get(g) ?? []), gv.slice(slash + 1)]);
    }
    return {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    };
  }

  private resourceList(gv: string, resources: FakeResource[]): Obj {
    const verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    return {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: gv,
      resources: resources.flatMap((r) => [
        { name: r.name, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs },
        // Subresources are listed as the real server does; the client must skip them.
        {
          name: `${r.name}/status`,
          singularName: "",
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ["get", "patch", "update"],
        },
      ]),
    };
  }
}
