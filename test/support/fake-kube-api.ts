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
import { randomUUID } from "node:crypto";
import { writeFile, mkdtemp } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml } from "yaml";
import { renderManagedFields, sameOwnership, serverSideApply, updateOwnership } from "./fake-kube-ssa.js";
import type { ManagedEntry } from "./fake-kube-ssa.js";
import { ResourceRegistry } from "./fake-kube-resources.js";
import type { FakeResource } from "./fake-kube-resources.js";

type Obj = Record<string, unknown>;

export interface FakeRequestInfo {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface FakeAdmissionRequest {
  operation: "CREATE" | "UPDATE" | "DELETE";
  object: Obj;
  dryRun: boolean;
}

export interface FakeAdmissionDenial {
  status: number;
  reason: string;
  message: string;
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

interface Stored {
  object: Obj;
  managed: ManagedEntry[];
}

const MiB = 1024 * 1024;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
  ) {
    super(message);
  }
}

function status(code: number, reason: string, message: string, details?: Obj): Obj {
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

function isMap(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function meta(o: Obj): Obj {
  if (!isMap(o["metadata"])) o["metadata"] = {};
  return o["metadata"] as Obj;
}

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

function qualified(r: FakeResource): string {
  return r.group ? `${r.name}.${r.group}` : r.name;
}

export class FakeKubeApi {
  readonly requests: FakeRequestInfo[] = [];
  private readonly server: http.Server;
  private readonly registry = new ResourceRegistry();
  private readonly store = new Map<string, Stored>();
  private readonly sockets = new Set<Socket>();
  private faults: (FakeFault & { left: number })[] = [];
  private refusing = false;
  private rv = 100;
  private port = 0;

  constructor(readonly options: FakeKubeApiOptions = {}) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (socket: Socket) => {
      if (this.refusing) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    for (const name of ["default", "kube-system", "kube-public"]) {
      this.put(this.registry.find("", "v1", "namespaces")!, "", name, {
        object: {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: this.newMetadata(name, ""),
          status: { phase: "Active" },
        },
        managed: [],
      });
    }
  }

  /** Starts listening on 127.0.0.1 at a random port. */
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
    const s = this.store.get(this.key(group, plural, namespace, name));
    return s ? structuredClone(this.render(s)) : undefined;
  }

  /** Every stored object of a group/resource (copies). */
  objects(group: string, plural: string): Obj[] {
    const prefix = `${group}/${plural}/`;
    return [...this.store]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, s]) => structuredClone(this.render(s)));
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  /** Requests that wrote (or would write) something. */
  writeRequests(): FakeRequestInfo[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  private key(group: string, plural: string, namespace: string, name: string): string {
    return `${group}/${plural}/${namespace}/${name}`;
  }

  private put(r: FakeResource, namespace: string, name: string, stored: Stored): void {
    this.store.set(this.key(r.group, r.name, namespace, name), stored);
  }

  private nextRv(): string {
    return String(++this.rv);
  }

  private newMetadata(name: string, namespace: string): Obj {
    return {
      name,
      ...(namespace ? { namespace } : {}),
      uid: randomUUID(),
      resourceVersion: this.nextRv(),
      creationTimestamp: timestamp(),
    };
  }

  private render(s: Stored): Obj {
    const o = structuredClone(s.object);
    const managedFields = renderManagedFields(s.managed);
    if (managedFields.length > 0) meta(o)["managedFields"] = managedFields;
    return o;
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
      if (method === "GET") return [200, this.list(resource, gv, namespace, query["labelSelector"])];
      if (method === "POST") return [201, this.create(resource, gv, namespace, body(), query, dryRun)];
      throw new HttpError(405, "MethodNotAllowed", `${method} is not allowed on a collection`);
    }
    if (resource.namespaced && !namespace)
      throw new HttpError(404, "NotFound", "the server could not find the requested resource");
    switch (method) {
      case "GET":
        return [200, this.render(this.mustGet(resource, namespace, name))];
      case "PUT":
        return [200, this.update(resource, gv, namespace, name, body(), query, dryRun)];
      case "PATCH":
        if (contentType?.split(";")[0]?.trim() !== "application/apply-patch+yaml") {
          throw new HttpError(
            415,
            "UnsupportedMediaType",
            `the fake API server only supports server-side apply patches, not ${contentType}`,
          );
        }
        return this.apply(resource, gv, namespace, name, body(), query, dryRun);
      case "DELETE":
        return [200, this.delete(resource, namespace, name, dryRun)];
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

  private mustGet(r: FakeResource, namespace: string, name: string): Stored {
    const s = this.store.get(this.key(r.group, r.name, namespace, name));
    if (!s)
      throw new HttpError(404, "NotFound", `${qualified(r)} "${name}" not found`, {
        name,
        group: r.group,
        kind: r.name,
      });
    return s;
  }

  private list(r: FakeResource, gv: string, namespace: string, selector: string | undefined): Obj {
    const prefix = `${r.group}/${r.name}/${namespace ? `${namespace}/` : ""}`;
    const items = [...this.store]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, s]) => this.render(s))
      .filter((o) => matchesSelector(o, selector));
    return { kind: `${r.kind}List`, apiVersion: gv, metadata: { resourceVersion: String(this.rv) }, items };
  }

  /** Checks identity, names, namespace existence, size limits and admission for a write. */
  private validate(
    r: FakeResource,
    gv: string,
    namespace: string,
    name: string,
    object: Obj,
    operation: "CREATE" | "UPDATE",
    dryRun: boolean,
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
    if (r.namespaced && !this.store.has(this.key("", "namespaces", "", namespace))) {
      throw new HttpError(404, "NotFound", `namespaces "${namespace}" not found`, {
        name: namespace,
        kind: "namespaces",
      });
    }
    if (r.kind === "CustomResourceDefinition") validateCrd(name, object);
    const denial = this.options.admit?.({ operation, object: structuredClone(object), dryRun });
    if (denial) throw new HttpError(denial.status, denial.reason, denial.message);
  }

  private create(
    r: FakeResource,
    gv: string,
    namespace: string,
    object: Obj,
    query: Record<string, string>,
    dryRun: boolean,
  ): Obj {
    const name = String(meta(object)["name"] ?? "");
    this.validate(r, gv, namespace, name, object, "CREATE", dryRun);
    if (this.store.has(this.key(r.group, r.name, namespace, name))) {
      throw new HttpError(409, "AlreadyExists", `${qualified(r)} "${name}" already exists`, {
        name,
        group: r.group,
        kind: r.name,
      });
    }
    const manager = query["fieldManager"] ?? "unknown";
    const stored = this.materialise(
      r,
      gv,
      namespace,
      name,
      undefined,
      object,
      updateOwnership(undefined, [], object, manager, timestamp()),
      dryRun,
    );
    return this.render(stored);
  }

  private update(
    r: FakeResource,
    gv: string,
    namespace: string,
    name: string,
    object: Obj,
    query: Record<string, string>,
    dryRun: boolean,
  ): Obj {
    const current = this.mustGet(r, namespace, name);
    this.validate(r, gv, namespace, name, object, "UPDATE", dryRun);
    const rv = meta(object)["resourceVersion"];
    if (rv !== undefined && rv !== meta(current.object)["resourceVersion"]) {
      throw new HttpError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: r.group, kind: r.name },
      );
    }
    const manager = query["fieldManager"] ?? "unknown";
    const managed = updateOwnership(current.object, current.managed, object, manager, timestamp());
    return this.render(this.materialise(r, gv, namespace, name, current, object, managed, dryRun));
  }

  private apply(
    r: FakeResource,
    gv: string,
    namespace: string,
    name: string,
    config: Obj,
    query: Record<string, string>,
    dryRun: boolean,
  ): [number, Obj] {
    const manager = query["fieldManager"];
    if (!manager)
      throw new HttpError(400, "BadRequest", "PATCH request with apply patch type requires a fieldManager");
    if (query["force"] !== undefined && query["force"] !== "true" && query["force"] !== "false") {
      throw new HttpError(400, "BadRequest", `invalid force value ${query["force"]}`);
    }
    const current = this.store.get(this.key(r.group, r.name, namespace, name));
    this.validate(r, gv, namespace, name, config, current ? "UPDATE" : "CREATE", dryRun);
    const rv = meta(config)["resourceVersion"];
    if (rv !== undefined && (!current || rv !== meta(current.object)["resourceVersion"])) {
      throw new HttpError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const result = serverSideApply(
      current?.object,
      current?.managed ?? [],
      config,
      manager,
      query["force"] === "true",
      timestamp(),
    );
    if (result.conflicts.length > 0) {
      const causes = result.conflicts.map((c) => ({
        reason: "FieldManagerConflict",
        message: `conflict with "${c.manager}" using ${gv}`,
        field: `.${c.path.join(".")}`,
      }));
      const lines = causes.map((c) => `- ${c.message}: ${c.field}`).join("\n");
      throw new HttpError(
        409,
        "Conflict",
        `Apply failed with ${causes.length} conflict${causes.length === 1 ? "" : "s"}: ${causes.length === 1 ? `${causes[0]!.message}: ${causes[0]!.field}` : `\n${lines}`}`,
        { name, group: r.group, kind: r.name, causes },
      );
    }
    const stored = this.materialise(r, gv, namespace, name, current, result.object, result.managed, dryRun);
    return [current ? 200 : 201, this.render(stored)];
  }

  /** Builds the next stored state and persists it unless dry-run or nothing changed. */
  private materialise(
    r: FakeResource,
    gv: string,
    namespace: string,
    name: string,
    current: Stored | undefined,
    next: Obj,
    managed: ManagedEntry[],
    dryRun: boolean,
  ): Stored {
    const object = structuredClone(next);
    delete object["status"];
    const m = meta(object);
    for (const k of [
      "managedFields",
      "uid",
      "creationTimestamp",
      "generation",
      "resourceVersion",
      "deletionTimestamp",
      "selfLink",
    ])
      delete m[k];
    object["apiVersion"] = gv;
    object["kind"] = r.kind;
    m["name"] = name;
    if (namespace) m["namespace"] = namespace;
    const old = current?.object;
    const oldMeta = old ? meta(old) : undefined;
    const unchanged =
      old !== undefined &&
      isDeepStrictEqual(userPart(old), userPart(object)) &&
      sameOwnership(current!.managed, managed);
    if (unchanged) return { object: structuredClone(old), managed: current!.managed };
    const specChanged = !old || !isDeepStrictEqual(specPart(old), specPart(object));
    Object.assign(m, {
      uid: oldMeta?.["uid"] ?? randomUUID(),
      creationTimestamp: oldMeta?.["creationTimestamp"] ?? timestamp(),
      resourceVersion: dryRun ? (oldMeta?.["resourceVersion"] ?? "") : this.nextRv(),
    });
    if ("spec" in object || oldMeta?.["generation"] !== undefined) {
      const gen = typeof oldMeta?.["generation"] === "number" ? oldMeta["generation"] : 0;
      m["generation"] = specChanged ? gen + 1 : gen;
    }
    if (old?.["status"] !== undefined) object["status"] = structuredClone(old["status"]);
    if (r.kind === "Namespace") object["status"] = { phase: "Active" };
    if (r.kind === "CustomResourceDefinition" && !isMap(object["status"]))
      object["status"] = crdStatus(false);
    const stored = { object, managed };
    if (!dryRun) {
      this.put(r, namespace, name, stored);
      if (r.kind === "CustomResourceDefinition") this.establishLater(name);
    }
    return stored;
  }

  private establishLater(name: string): void {
    const establish = () => {
      const s = this.store.get(this.key("apiextensions.k8s.io", "customresourcedefinitions", "", name));
      if (!s) return;
      s.object["status"] = crdStatus(true);
      meta(s.object)["resourceVersion"] = this.nextRv();
      this.registry.serveCrd(name, s.object["spec"] as Obj);
    };
    if (this.options.crdEstablishDelayMs) setTimeout(establish, this.options.crdEstablishDelayMs).unref();
    else establish();
  }

  private delete(r: FakeResource, namespace: string, name: string, dryRun: boolean): Obj {
    const s = this.mustGet(r, namespace, name);
    const denial = this.options.admit?.({ operation: "DELETE", object: structuredClone(s.object), dryRun });
    if (denial) throw new HttpError(denial.status, denial.reason, denial.message);
    if (!dryRun) {
      this.store.delete(this.key(r.group, r.name, namespace, name));
      if (r.kind === "Namespace") {
        for (const k of [...this.store.keys()]) if (k.split("/")[2] === name) this.store.delete(k);
      }
      if (r.kind === "CustomResourceDefinition") {
        const spec = s.object["spec"] as Obj;
        const plural = String((spec["names"] as Obj)["plural"]);
        for (const k of [...this.store.keys()])
          if (k.startsWith(`${String(spec["group"])}/${plural}/`)) this.store.delete(k);
        this.registry.removeCrd(name);
      }
    }
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name, group: r.group, kind: r.name, uid: meta(s.object)["uid"] },
    };
  }
}

/** The object without server-managed metadata (what a no-op write leaves equal). */
function userPart(o: Obj): Obj {
  const copy = structuredClone(o);
  delete copy["status"];
  const m = meta(copy);
  for (const k of ["managedFields", "uid", "creationTimestamp", "generation", "resourceVersion"]) delete m[k];
  return copy;
}

function specPart(o: Obj): Obj {
  const copy = userPart(o);
  delete copy["metadata"];
  return copy;
}

function crdStatus(established: boolean): Obj {
  const now = timestamp();
  return {
    conditions: [
      {
        type: "NamesAccepted",
        status: "True",
        reason: "NoConflicts",
        message: "no conflicts found",
        lastTransitionTime: now,
      },
      established
        ? {
            type: "Established",
            status: "True",
            reason: "InitialNamesAccepted",
            message: "the initial names have been accepted",
            lastTransitionTime: now,
          }
        : {
            type: "Established",
            status: "False",
            reason: "Installing",
            message: "the initial names have been accepted",
            lastTransitionTime: now,
          },
    ],
  };
}

function validateCrd(name: string, crd: Obj): void {
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

function matchesSelector(o: Obj, selector: string | undefined): boolean {
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
