/**
 * The HTTP layer every src/kube adapter talks through: raw JSON in and out, one keep-alive
 * agent, bounded retries of idempotent requests, and every error answer mapped to
 * ClusterApiError.
 *
 * Why not client-node's typed APIs (KubernetesObjectApi and friends): they serialise request
 * bodies through the generated models, which keep only the fields the model knows, so a field
 * newer than the library would be silently dropped from what is applied; they turn timestamps
 * into Date objects; and they build a new https.Agent (no connection reuse) for every request.
 * countersign must apply exactly the approved bytes, so client-node's KubeConfig is used for what
 * it is good at (loading kubeconfig files, in-cluster service account, TLS material, token
 * refresh through its authenticators) and requests go through this small client.
 */
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { ClusterApiError } from "../core/ports/cluster.js";
import { redactCredentials } from "./redact.js";

export type KubeMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface KubeRequest {
  method: KubeMethod;
  /** Absolute API path, e.g. `/api/v1/namespaces/web/configmaps/app`. */
  path: string;
  query?: Record<string, string | undefined>;
  /** Serialised as JSON. */
  body?: unknown;
  /** Default `application/json`. */
  contentType?: string;
  /**
   * Whether the request may be repeated after an error answer or a connection lost mid-request
   * (GET, server-side apply, delete). Others are retried only when the connection was refused,
   * i.e. when the request cannot have reached the server.
   */
  idempotent?: boolean;
  /** What is being done, for error messages: "applying apps/v1 Deployment web/app". */
  operation: string;
}

export interface KubeResponse {
  status: number;
  body: unknown;
}

/** What the adapters need: one request in, one parsed answer out (2xx only; errors throw). */
export interface KubeTransport {
  request(req: KubeRequest): Promise<KubeResponse>;
}

export interface KubeHttpOptions {
  /** Per-attempt timeout. Default 30 s. */
  timeoutMs?: number;
  /** Attempts per request, first included. Default 3 (the production configuration). */
  maxAttempts?: number;
  /** First retry delay; doubled each attempt, with jitter. Default 200 ms. */
  retryBaseMs?: number;
  /** Parallel connections to the API server. Default 16 (above the reconciler's apply concurrency). */
  maxSockets?: number;
  userAgent?: string;
  /** Largest answer accepted, in bytes: a hostile or broken server cannot exhaust memory. Default 64 MiB. */
  maxResponseBytes?: number;
  /** Injected for tests of the retry path. */
  sleep?: (ms: number) => Promise<void>;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const REFUSED_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);

class NetworkError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class KubeHttpClient implements KubeTransport {
  readonly server: URL;
  private agent: http.Agent | undefined;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly maxSockets: number;
  private readonly maxResponseBytes: number;
  private readonly userAgent: string;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Requests sent (attempts included): the benchmark and idle-pass figures count these. */
  requestCount = 0;

  constructor(
    private readonly kubeConfig: KubeConfig,
    options: KubeHttpOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster)
      throw new Error("building the Kubernetes client: the configuration names no current cluster");
    let server: URL;
    try {
      server = new URL(cluster.server);
    } catch (error) {
      throw new Error(`building the Kubernetes client: invalid server URL for cluster ${cluster.name}`, {
        cause: error,
      });
    }
    if (server.protocol !== "https:" && !(server.protocol === "http:" && cluster.skipTLSVerify)) {
      throw new Error(
        `building the Kubernetes client: server of cluster ${cluster.name} must be https (plain http only with insecure-skip-tls-verify, for local tests)`,
      );
    }
    if (cluster.proxyUrl) {
      // Not supported by this client: refusing beats silently bypassing a proxy the user relies on.
      throw new Error(
        `building the Kubernetes client: cluster ${cluster.name} sets proxy-url, which countersign does not support`,
      );
    }
    this.server = server;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.maxSockets = options.maxSockets ?? 16;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.userAgent = options.userAgent ?? "countersign";
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Closes idle keep-alive connections (on shutdown, and so tests end promptly). */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  async request(req: KubeRequest): Promise<KubeResponse> {
    for (let attempt = 1; ; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        const res = await this.send(req);
        if (res.status >= 200 && res.status < 300) return res;
        const error = toClusterApiError(req.operation, res);
        if (!(req.idempotent && RETRYABLE_STATUS.has(res.status)) || attempt >= this.maxAttempts) throw error;
        retryAfterMs = res.retryAfterMs;
      } catch (error) {
        if (error instanceof ClusterApiError) throw error;
        const refused = error instanceof NetworkError && REFUSED_CODES.has(error.code);
        if (attempt >= this.maxAttempts || !(req.idempotent || refused)) {
          const message = error instanceof Error ? error.message : String(error);
          throw new ClusterApiError(
            req.operation,
            0,
            "Unreachable",
            redactCredentials(`${req.operation}: API server unreachable at ${this.server.host}: ${message}`),
            { cause: error },
          );
        }
      }
      const backoff = this.retryBaseMs * 2 ** (attempt - 1);
      await this.sleep(Math.min(retryAfterMs ?? backoff + Math.random() * backoff * 0.5, 5_000));
    }
  }

  private async getAgent(tls: https.RequestOptions): Promise<http.Agent> {
    if (this.agent) return this.agent;
    const common = { keepAlive: true, maxSockets: this.maxSockets };
    this.agent =
      this.server.protocol === "http:"
        ? new http.Agent(common)
        : new https.Agent({
            ...common,
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            pfx: tls.pfx,
            passphrase: tls.passphrase,
            servername: tls.servername,
            ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
          });
    return this.agent;
  }

  private async send(req: KubeRequest): Promise<KubeResponse & { retryAfterMs?: number }> {
    // Asked per request: authenticators refresh short-lived tokens (projected service account
    // tokens, EKS tokens) behind this call.
    const auth: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(auth);
    const agent = await this.getAgent(auth);
    const url = new URL(req.path, this.server);
    if (this.server.pathname !== "/") url.pathname = this.server.pathname.replace(/\/$/, "") + req.path;
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": this.userAgent };
    for (const [k, v] of Object.entries(auth.headers ?? {})) {
      if (typeof v === "string") headers[k] = v;
    }
    if (auth.auth) headers["Authorization"] = `Basic ${Buffer.from(auth.auth).toString("base64")}`;
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    if (payload) {
      headers["Content-Type"] = req.contentType ?? "application/json";
      headers["Content-Length"] = String(payload.length);
    }
    this.requestCount++;
    const lib = url.protocol === "http:" ? http : https;
    return await new Promise((resolve, reject) => {
      const r = lib.request(url, { method: req.method, headers, agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            res.destroy(new Error(`answer larger than ${this.maxResponseBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("error", (error) => reject(new NetworkError(error.message, "ERESPONSE", { cause: error })));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = text === "" ? undefined : JSON.parse(text);
          } catch {
            // Not JSON (a proxy's HTML error page): kept as text for the error message.
          }
          const retryAfter = Number(res.headers["retry-after"]);
          resolve({
            status: res.statusCode ?? 0,
            body,
            ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
          });
        });
      });
      r.on("timeout", () => r.destroy(Object.assign(new Error("request timed out"), { code: "ETIMEDOUT" })));
      r.on("error", (error: NodeJS.ErrnoException) =>
        reject(new NetworkError(error.message, error.code ?? "EUNKNOWN", { cause: error })),
      );
      r.end(payload);
    });
  }
}

/** Kubernetes `Status` answers carry `reason` and `message`; anything else gets the HTTP status. */
export function toClusterApiError(operation: string, res: KubeResponse): ClusterApiError {
  let reason = "";
  let message = "";
  const body = res.body;
  if (body !== null && typeof body === "object") {
    const b = body as Record<string, unknown>;
    if (typeof b["reason"] === "string") reason = b["reason"];
    if (typeof b["message"] === "string") message = b["message"];
  } else if (typeof body === "string") {
    message = body.slice(0, 500);
  }
  const text = `${operation}: ${res.status}${reason ? ` ${reason}` : ""}${message ? `: ${message}` : ""}`;
  return new ClusterApiError(operation, res.status, reason, redactCredentials(text));
}
