/**
 * A small stateful fake of the GitHub REST API (and the GraphQL blob query), for the end-to-end
 * tests of the reconciler and the gate, and the benchmark: the command under test talks HTTP to it
 * exactly as to GitHub, with the production client (retries, throttling, App installation tokens),
 * at the root (api.github.com layout) or under /api/v3 and /api/graphql (GitHub Enterprise Server,
 * the gate's GHE_HOST). Repository content lives in a FakeRepo (test/reconciler/fakes/fake-repo.ts);
 * check runs (created and updated by the App), reviews, statuses and comments live here. It
 * answers what the two processes ask and 404s the rest.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import type { FakeRepo } from "../reconciler/fakes/fake-repo.js";

export interface FakeCheckRun {
  id: number;
  headSha: string;
  appId: number;
  conclusion: string;
  externalId: string | null;
  text: string | null;
  /** Absent: completed (runs pushed by tests are finished). */
  status?: string;
  title?: string;
  summary?: string;
  /** Every annotation message written to the run (GitHub appends them). */
  annotations?: string[];
}

export interface FakeReview {
  id: number;
  login: string;
  state: string;
  commitId: string;
  submittedAt: string;
  association?: string;
}

export interface FakeComment {
  id: number;
  issue?: number;
  commit?: string;
  body: string;
  appId: number;
}

type Json = unknown;

function annotationMessages(output: Record<string, unknown>): string[] {
  const list = Array.isArray(output["annotations"]) ? (output["annotations"] as unknown[]) : [];
  return list.map((a) => JSON.stringify(a));
}

export class FakeGitHub {
  readonly checkRuns: FakeCheckRun[] = [];
  readonly reviews = new Map<number, FakeReview[]>();
  readonly statuses: { sha: string; state: string; context: string; description: string }[] = [];
  readonly comments: FakeComment[] = [];
  /** Default-branch files served by the contents API (the repository configuration, policy). */
  readonly defaultBranchFiles = new Map<string, string>();
  /** Every request: method and path (with query). */
  readonly requests: string[] = [];
  down = false;
  #nextId = 1000;
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  #port = 0;

  constructor(
    readonly repo: FakeRepo,
    readonly options: { owner: string; name: string; appId: number; installationId: number },
  ) {
    this.#server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => this.handle(req, res, body));
    });
    this.#server.on("connection", (s: Socket) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
  }

  static async start(repo: FakeRepo, options: FakeGitHub["options"]): Promise<FakeGitHub> {
    const gh = new FakeGitHub(repo, options);
    await new Promise<void>((resolve) => gh.#server.listen(0, "127.0.0.1", resolve));
    gh.#port = (gh.#server.address() as AddressInfo).port;
    return gh;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  newId(): number {
    return this.#nextId++;
  }

  /** Requests that count against GitHub's rate limit (a 304 does not). */
  private send(
    res: http.ServerResponse,
    status: number,
    body: Json,
    headers: Record<string, string> = {},
  ): void {
    const text = status === 304 || body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      ...headers,
    });
    res.end(text);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    if (this.down) {
      this.send(res, 503, { message: "Service Unavailable" });
      return;
    }
    try {
      // GitHub Enterprise Server layout (the gate's GHE_HOST/GHE_PROTOCOL): REST under /api/v3,
      // GraphQL at /api/graphql. The same routes answer both layouts.
      let path = decodeURIComponent(url.pathname);
      if (path === "/api/graphql") path = "/graphql";
      else if (path.startsWith("/api/v3/")) path = path.slice("/api/v3".length);
      this.route(method, path, url.searchParams, req, res, body);
    } catch (error) {
      this.send(res, 500, { message: String(error) });
    }
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: string,
  ): void {
    const { owner, name } = this.options;
    const repoPrefix = `/repos/${owner}/${name}`;
    const json = (): Record<string, unknown> =>
      body === "" ? {} : (JSON.parse(body) as Record<string, unknown>);
    let m: RegExpExecArray | null;
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return this.send(res, 201, {
        token: "ghs_faketoken",
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
      });
    }
    if (method === "GET" && path === `${repoPrefix}/installation`)
      return this.send(res, 200, { id: this.options.installationId });
    if (method === "POST" && path === "/graphql") {
      const q = String(json()["query"] ?? "");
      const repository: Record<string, unknown> = {};
      for (const match of q.matchAll(/(b\d+): object\(oid: "([0-9a-f]+)"\)/g)) {
        const text = this.repo.blobs.get(match[2] as string);
        repository[match[1] as string] =
          text === undefined ? null : { text, isBinary: false, isTruncated: false };
      }
      return this.send(res, 200, { data: { repository } });
    }
    if (!path.startsWith(`${repoPrefix}/`)) return this.send(res, 404, { message: "Not Found" });
    const rest = path.slice(repoPrefix.length);

    if (method === "GET" && (m = /^\/git\/ref\/heads\/(.+)$/.exec(rest))) {
      const sha = this.repo.branches.get(m[1] as string);
      if (sha === undefined) return this.send(res, 404, { message: "Not Found" });
      const etag = `"${sha}"`;
      if (req.headers["if-none-match"] === etag) return this.send(res, 304, undefined, { etag });
      return this.send(res, 200, { ref: `refs/heads/${m[1]}`, object: { sha, type: "commit" } }, { etag });
    }
    if (method === "GET" && (m = /^\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest))) {
      const [base, head] = [m[1] as string, m[2] as string];
      if (!this.repo.commits.has(base) || !this.repo.commits.has(head))
        return this.send(res, 404, { message: "Not Found" });
      const baseSide = this.ancestors(base);
      const mergeBase = this.listing(head).find((s) => baseSide.has(s)) ?? base;
      if (base === head)
        return this.send(res, 200, {
          status: "identical",
          ahead_by: 0,
          behind_by: 0,
          merge_base_commit: { sha: base },
          commits: [],
        });
      const ancestors = this.ancestors(head);
      const commits = this.listing(head)
        .filter((s) => !baseSide.has(s))
        .reverse()
        .map((sha) => ({ sha }));
      return this.send(res, 200, {
        status: ancestors.has(base) ? "ahead" : "diverged",
        ahead_by: commits.length,
        behind_by: ancestors.has(base) ? 0 : 1,
        merge_base_commit: { sha: mergeBase },
        commits,
      });
    }
    if (method === "GET" && rest === "/commits") {
      const start = query.get("sha") ?? "";
      const perPage = Number(query.get("per_page") ?? "30");
      const page = Number(query.get("page") ?? "1");
      const all = this.listing(start);
      return this.send(
        res,
        200,
        all.slice((page - 1) * perPage, page * perPage).map((sha) => ({
          sha,
          parents: (this.repo.commits.get(sha)?.parents ?? []).map((p) => ({ sha: p })),
        })),
      );
    }
    if (method === "GET" && (m = /^\/git\/trees\/([0-9a-f]+)$/.exec(rest))) {
      const commit = this.repo.commits.get(m[1] as string);
      if (commit === undefined) return this.send(res, 404, { message: "Not Found" });
      const tree = [...commit.files].map(([p, content]) => ({
        path: p,
        mode: "100644",
        type: "blob",
        sha: this.repo.blobSha(content),
        size: Buffer.byteLength(content),
      }));
      return this.send(res, 200, { sha: m[1], tree, truncated: false });
    }
    if (method === "GET" && (m = /^\/git\/blobs\/([0-9a-f]+)$/.exec(rest))) {
      const content = this.repo.blobs.get(m[1] as string);
      if (content === undefined) return this.send(res, 404, { message: "Not Found" });
      return this.send(res, 200, {
        sha: m[1],
        encoding: "base64",
        content: Buffer.from(content).toString("base64"),
      });
    }
    if (method === "GET" && (m = /^\/commits\/([0-9a-f]+)\/pulls$/.exec(rest))) {
      const sha = m[1] as string;
      return this.send(
        res,
        200,
        this.repo.pulls.filter((p) => p.commits.has(sha)).map((p) => this.pullJson(p.number)),
      );
    }
    if (method === "GET" && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = this.pullJson(Number(m[1]));
      return pull === undefined ? this.send(res, 404, { message: "Not Found" }) : this.send(res, 200, pull);
    }
    if (method === "GET" && (m = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      return this.send(
        res,
        200,
        (this.reviews.get(Number(m[1])) ?? []).map((r) => ({
          id: r.id,
          user: { login: r.login, type: "User" },
          state: r.state,
          commit_id: r.commitId,
          submitted_at: r.submittedAt,
          author_association: r.association ?? "MEMBER",
        })),
      );
    }
    if (method === "GET" && (m = /^\/pulls\/(\d+)\/commits$/.exec(rest))) {
      const pull = this.repo.pulls.find((p) => p.number === Number(m?.[1]));
      return this.send(
        res,
        200,
        [...(pull?.commits ?? [])].map((sha) => ({
          sha,
          author: { login: pull?.author },
          committer: { login: pull?.author },
        })),
      );
    }
    if (method === "POST" && rest === "/check-runs") {
      const b = json();
      const output = (b["output"] ?? {}) as Record<string, unknown>;
      const run: FakeCheckRun = {
        id: this.newId(),
        headSha: String(b["head_sha"]),
        // The token is the App's installation token: GitHub attributes the run to the App.
        appId: this.options.appId,
        status: String(b["status"] ?? "queued"),
        conclusion: String(b["conclusion"] ?? ""),
        externalId: typeof b["external_id"] === "string" ? b["external_id"] : null,
        text: typeof output["text"] === "string" ? output["text"] : null,
        title: String(output["title"] ?? ""),
        summary: String(output["summary"] ?? ""),
        annotations: annotationMessages(output),
      };
      this.checkRuns.push(run);
      return this.send(res, 201, { id: run.id, head_sha: run.headSha, status: run.status });
    }
    if (method === "PATCH" && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((c) => c.id === Number(m?.[1]));
      if (run === undefined) return this.send(res, 404, { message: "Not Found" });
      const b = json();
      const output = b["output"] as Record<string, unknown> | undefined;
      if (typeof b["status"] === "string") run.status = b["status"];
      if (typeof b["conclusion"] === "string") run.conclusion = b["conclusion"];
      if (typeof b["external_id"] === "string") run.externalId = b["external_id"];
      if (output !== undefined) {
        if (typeof output["text"] === "string") run.text = output["text"];
        if (typeof output["title"] === "string") run.title = output["title"];
        if (typeof output["summary"] === "string") run.summary = output["summary"];
        run.annotations = [...(run.annotations ?? []), ...annotationMessages(output)];
      }
      return this.send(res, 200, { id: run.id, head_sha: run.headSha, status: run.status ?? "completed" });
    }
    if (method === "GET" && (m = /^\/commits\/([0-9a-f]+)\/check-runs$/.exec(rest))) {
      const appId = Number(query.get("app_id"));
      const runs = this.checkRuns.filter(
        (c) => c.headSha === m?.[1] && (!query.has("app_id") || c.appId === appId),
      );
      return this.send(res, 200, {
        total_count: runs.length,
        check_runs: runs.map((c) => ({
          id: c.id,
          name: "countersign",
          head_sha: c.headSha,
          status: c.status ?? "completed",
          conclusion: c.conclusion === "" ? null : c.conclusion,
          external_id: c.externalId,
          started_at: "2026-11-29T09:00:00Z",
          output: { title: "", summary: "", text: c.text },
          app: { id: c.appId },
        })),
      });
    }
    if (method === "GET" && (m = /^\/contents\/(.+)$/.exec(rest))) {
      const content = this.defaultBranchFiles.get(m[1] as string);
      if (content === undefined) return this.send(res, 404, { message: "Not Found" });
      const etag = `"${this.repo.blobSha(content)}"`;
      if (req.headers["if-none-match"] === etag) return this.send(res, 304, undefined, { etag });
      return this.send(
        res,
        200,
        { type: "file", path: m[1], content: Buffer.from(content).toString("base64"), encoding: "base64" },
        { etag },
      );
    }
    if (method === "POST" && (m = /^\/statuses\/([0-9a-f]+)$/.exec(rest))) {
      const b = json();
      this.statuses.push({
        sha: m[1] as string,
        state: String(b["state"]),
        context: String(b["context"]),
        description: String(b["description"] ?? ""),
      });
      return this.send(res, 201, { id: this.newId() });
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1]);
      if (method === "GET") {
        return this.send(
          res,
          200,
          this.comments
            .filter((c) => c.issue === issue)
            .map((c) => ({
              id: c.id,
              body: c.body,
              user: { type: "Bot" },
              performed_via_github_app: { id: c.appId },
            })),
        );
      }
      const comment = { id: this.newId(), issue, body: String(json()["body"]), appId: this.options.appId };
      this.comments.push(comment);
      return this.send(res, 201, { id: comment.id });
    }
    if (method === "PATCH" && (m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const comment = this.comments.find((c) => c.id === Number(m?.[1]));
      if (comment === undefined) return this.send(res, 404, { message: "Not Found" });
      comment.body = String(json()["body"]);
      return this.send(res, 200, { id: comment.id });
    }
    if (method === "POST" && (m = /^\/commits\/([0-9a-f]+)\/comments$/.exec(rest))) {
      const comment = {
        id: this.newId(),
        commit: m[1] as string,
        body: String(json()["body"]),
        appId: this.options.appId,
      };
      this.comments.push(comment);
      return this.send(res, 201, { id: comment.id });
    }
    return this.send(res, 404, { message: `Not Found (fake GitHub: ${method} ${rest})` });
  }

  private pullJson(number: number): Record<string, unknown> | undefined {
    const p = this.repo.pulls.find((x) => x.number === number);
    if (p === undefined) return undefined;
    return {
      number: p.number,
      state: p.merged ? "closed" : "open",
      merged: p.merged,
      merged_at: p.merged ? "2026-11-29T09:30:00Z" : null,
      merge_commit_sha: p.mergeCommitSha,
      draft: false,
      user: { login: p.author, type: "User" },
      head: { sha: p.headSha, ref: `pr-${p.number}` },
      base: { sha: this.repo.branches.get(p.baseRef) ?? "", ref: p.baseRef },
    };
  }

  private ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const s = stack.pop() as string;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...(this.repo.commits.get(s)?.parents ?? []));
    }
    return seen;
  }

  /** Commits reachable from `sha`, newest first (breadth-first, as a date order would roughly give). */
  private listing(sha: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length > 0) {
      const s = queue.shift() as string;
      if (seen.has(s) || !this.repo.commits.has(s)) continue;
      seen.add(s);
      out.push(s);
      queue.push(...(this.repo.commits.get(s)?.parents ?? []));
    }
    return out;
  }
}
