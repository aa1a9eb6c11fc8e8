/**
 * A GitHub API fake for the gate benchmark: an HTTP server on 127.0.0.1 that answers from commit
 * trees held in memory, waits `latencyMs` before every answer (GitHub's API answers in tens of
 * milliseconds, not zero), counts requests by route, and tells the benchmark when a head's check
 * run is completed.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Files = Map<string, string>;

export const blobSha = (c: string): string =>
  createHash("sha1")
    .update(`blob ${Buffer.byteLength(c)}\0`)
    .update(c)
    .digest("hex");

export interface FakeGitHubOptions {
  latencyMs: number;
  config: string;
  /** Answer GraphQL with 501, as a GitHub Enterprise Server with GraphQL turned off. */
  graphqlOff?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class FakeGitHub {
  readonly counts = new Map<string, number>();
  readonly blobs = new Map<string, string>();
  readonly trees = new Map<string, Files>();
  readonly untouchedBlobs = new Set<string>();
  /** Reviews by PR number. */
  readonly reviews = new Map<number, unknown[]>();
  /** `external_id` of an earlier run, by head SHA (a head the PR had before). */
  readonly digests = new Map<string, string>();
  /** Completed check runs and comment writes, by head SHA / PR number, with when they landed. */
  readonly #waiters = new Map<string, (() => void)[]>();
  readonly #runHeads = new Map<number, string>();
  #nextId = 1;
  #server: Server | undefined;

  constructor(readonly options: FakeGitHubOptions) {}

  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  reset(): void {
    this.counts.clear();
  }

  addCommit(commit: string, files: Files): void {
    this.trees.set(commit, files);
    for (const [path, content] of files) {
      this.blobs.set(blobSha(content), content);
      if (path.includes("/untouched/")) this.untouchedBlobs.add(blobSha(content));
    }
  }

  /** Resolves when `key` (`check:<head>` or `comment:<pr>`) next happens. */
  waitFor(key: string, timeoutMs = 120_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const list = this.#waiters.get(key) ?? [];
      list.push(resolve);
      this.#waiters.set(key, list);
      setTimeout(() => reject(new Error(`${key} did not happen within ${timeoutMs} ms`)), timeoutMs).unref();
    });
  }

  #fire(key: string): void {
    const list = this.#waiters.get(key) ?? [];
    this.#waiters.delete(key);
    for (const resolve of list) resolve();
  }

  #count(route: string): void {
    this.counts.set(route, (this.counts.get(route) ?? 0) + 1);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    await sleep(this.options.latencyMs);
    const body =
      chunks.length > 0
        ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>)
        : {};
    const url = new URL(req.url ?? "/", "http://x");
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v3/, ""));
    const send = (status: number, data: unknown): void => {
      res.writeHead(status, { "content-type": "application/json", "x-ratelimit-remaining": "4999" });
      res.end(JSON.stringify(data));
    };
    const method = req.method ?? "GET";
    const repo = /^\/repos\/[^/]+\/[^/]+/;
    const rest = path.replace(repo, "");
    let m: RegExpMatchArray | null;
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      this.#count("POST /app/installations/{id}/access_tokens");
      return send(201, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    }
    if (method === "POST" && path === "/graphql") {
      this.#count("POST /graphql (blob batch)");
      if (this.options.graphqlOff === true) return send(501, { message: "Not Implemented" });
      const query = String(body["query"] ?? "");
      const repository: Record<string, unknown> = {};
      for (const match of query.matchAll(/(b\d+): object\(oid: "([0-9a-f]+)"\)/g)) {
        const content = this.blobs.get(match[2] ?? "");
        if (this.untouchedBlobs.has(match[2] ?? "")) this.#count("READ OF AN UNTOUCHED FILE");
        repository[match[1] ?? ""] =
          content === undefined ? null : { text: content, isBinary: false, isTruncated: false };
      }
      return send(200, { data: { repository } });
    }
    if (method === "GET" && /^\/orgs\/[^/]+\/teams\/[^/]+\/members$/.test(path)) {
      this.#count("GET orgs/{org}/teams/{slug}/members");
      return send(200, [{ login: "alice" }]);
    }
    if (!repo.test(path)) {
      this.#count(`UNEXPECTED ${method} ${path}`);
      return send(404, { message: "Not Found" });
    }
    if (method === "GET" && rest === "/contents/.github/countersign.yml") {
      this.#count("GET contents/{path}");
      return send(200, { type: "file", content: Buffer.from(this.options.config).toString("base64") });
    }
    if (method === "GET" && (m = rest.match(/^\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/))) {
      this.#count("GET compare/{base}...{head}");
      return send(200, { merge_base_commit: { sha: m[1] }, commits: [] });
    }
    if (method === "GET" && (m = rest.match(/^\/git\/trees\/([0-9a-f]+)$/))) {
      this.#count("GET git/trees/{sha}");
      const files = this.trees.get(m[1] ?? "") ?? new Map<string, string>();
      const tree = [...files].map(([p, c]) => ({
        path: p,
        type: "blob",
        sha: blobSha(c),
        size: Buffer.byteLength(c),
      }));
      return send(200, { sha: m[1], tree, truncated: false });
    }
    if (method === "GET" && (m = rest.match(/^\/git\/blobs\/([0-9a-f]+)$/))) {
      const id = m[1] ?? "";
      this.#count(this.untouchedBlobs.has(id) ? "READ OF AN UNTOUCHED FILE" : "GET git/blobs/{sha}");
      const content = this.blobs.get(id);
      if (content === undefined) return send(404, { message: "Not Found" });
      return send(200, { sha: id, encoding: "base64", content: Buffer.from(content).toString("base64") });
    }
    if (method === "GET" && (m = rest.match(/^\/pulls\/(\d+)\/reviews$/))) {
      this.#count("GET pulls/{n}/reviews");
      return send(200, this.reviews.get(Number(m[1])) ?? []);
    }
    if (method === "GET" && /^\/pulls\/\d+\/commits$/.test(rest)) {
      this.#count("GET pulls/{n}/commits");
      return send(200, [
        { sha: "c".repeat(40), author: { login: "deploy-agent" }, committer: { login: "web-flow" } },
      ]);
    }
    if (method === "GET" && (m = rest.match(/^\/commits\/([0-9a-f]+)\/check-runs$/))) {
      this.#count("GET commits/{ref}/check-runs");
      const digest = this.digests.get(m[1] ?? "");
      const runs = digest
        ? [
            {
              id: 1,
              name: "countersign",
              head_sha: m[1],
              status: "completed",
              conclusion: "action_required",
              started_at: "2026-01-01T00:00:00Z",
              external_id: digest,
              output: {},
              app: { id: 1 },
            },
          ]
        : [];
      return send(200, { total_count: runs.length, check_runs: runs });
    }
    if (method === "POST" && rest === "/check-runs") {
      this.#count(`POST check-runs (${String(body["status"])})`);
      const id = this.#nextId++;
      const head = String(body["head_sha"]);
      this.#runHeads.set(id, head);
      send(201, { id });
      if (body["status"] === "completed") this.#fire(`check:${head}`);
      return;
    }
    if (method === "PATCH" && (m = rest.match(/^\/check-runs\/(\d+)$/))) {
      this.#count("PATCH check-runs/{id}");
      send(200, { id: Number(m[1]) });
      if (body["status"] === "completed") this.#fire(`check:${this.#runHeads.get(Number(m[1])) ?? ""}`);
      return;
    }
    if (method === "GET" && /^\/issues\/\d+\/comments$/.test(rest)) {
      this.#count("GET issues/{n}/comments");
      return send(200, []);
    }
    if (method === "POST" && (m = rest.match(/^\/issues\/(\d+)\/comments$/))) {
      this.#count("POST issues/{n}/comments");
      send(201, { id: 1000 + Number(m[1]) });
      this.#fire(`comment:${m[1]}`);
      return;
    }
    if (method === "PATCH" && (m = rest.match(/^\/issues\/comments\/(\d+)$/))) {
      this.#count("PATCH issues/comments/{id}");
      send(200, { id: Number(m[1]) });
      this.#fire(`comment:${Number(m[1]) - 1000}`);
      return;
    }
    this.#count(`UNEXPECTED ${method} ${path}`);
    return send(404, { message: "Not Found" });
  }
}
