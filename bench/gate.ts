/**
 * Benchmark section "gate": a PR changing 1,000 objects, GitHub answered by a local HTTP server on
 * 127.0.0.1 with no latency, the real gate (Probot server, real default policy) pointed at it.
 * Measures wall time from the webhook's receipt to the completed check run, and counts GitHub
 * requests by route per event. Targets: < 2 s, and no request for files the PR does not touch.
 */
import { createHash, createHmac, generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { gateConfig, startGate } from "../src/gate/server.js";

const SECRET = "bench-webhook-secret-0123456789";
const OWNER = "acme";
const REPO = "deploy";

const sha = (s: string): string => createHash("sha1").update(s).digest("hex");
const blobSha = (c: string): string =>
  createHash("sha1")
    .update(`blob ${Buffer.byteLength(c)}\0`)
    .update(c)
    .digest("hex");

function configMap(name: string, value: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: web\ndata:\n  value: "${value}"\n`;
}
function deployment(name: string, image: string): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`;
}

type Files = Map<string, string>;

interface Scenario {
  name: string;
  base: Files;
  head: Files;
  head2: Files;
}

/** 1,000 changed objects in `files` files, beside 5,000 untouched ones that must never be read. */
function scenario(name: string, files: number): Scenario {
  const base: Files = new Map();
  const head: Files = new Map();
  const head2: Files = new Map();
  const perFile = 1000 / files;
  for (let f = 0; f < files; f++) {
    const docs = (v: string): string =>
      Array.from({ length: perFile }, (_, i) =>
        i % 10 === 0 ? deployment(`app-${f}-${i}`, `app:${v}`) : configMap(`cm-${f}-${i}`, v),
      ).join("---\n");
    base.set(`clusters/prod/changed/f${f}.yaml`, docs("1"));
    head.set(`clusters/prod/changed/f${f}.yaml`, docs("2"));
    head2.set(`clusters/prod/changed/f${f}.yaml`, docs("3"));
  }
  for (let u = 0; u < 5000; u++) {
    const c = configMap(`untouched-${u}`, "x");
    for (const m of [base, head, head2]) m.set(`clusters/prod/untouched/u${u}.yaml`, c);
  }
  for (const m of [base, head, head2]) m.set(".github/countersign.yml", CONFIG);
  return { name, base, head, head2 };
}

const CONFIG = `version: 1\npaths:\n  - path: clusters/prod\n    cluster: prod\nagents: [deploy-agent]\n`;

/** A GitHub API fake: answers from commit trees, counts requests by route. */
class FakeGitHub {
  readonly counts = new Map<string, number>();
  readonly blobs = new Map<string, string>();
  readonly trees = new Map<string, Files>();
  readonly untouchedBlobs = new Set<string>();
  onCompleted: (() => void) | undefined;
  reviews: unknown[] = [];
  digests = new Map<string, string>();
  private nextId = 1;

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

  private count(route: string): void {
    this.counts.set(route, (this.counts.get(route) ?? 0) + 1);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
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
    const repo = `/repos/${OWNER}/${REPO}`;
    let m: RegExpMatchArray | null;
    if (req.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      this.count("POST /app/installations/{id}/access_tokens");
      return send(201, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    }
    if (req.method === "GET" && path === `${repo}/contents/.github/countersign.yml`) {
      this.count("GET /repos/{o}/{r}/contents/{path}");
      return send(200, { type: "file", content: Buffer.from(CONFIG).toString("base64") });
    }
    if (
      req.method === "GET" &&
      (m = path.match(/^\/repos\/[^/]+\/[^/]+\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/))
    ) {
      this.count("GET /repos/{o}/{r}/compare/{base}...{head}");
      return send(200, { merge_base_commit: { sha: m[1] }, commits: [] });
    }
    if (req.method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/git\/trees\/([0-9a-f]+)$/))) {
      this.count("GET /repos/{o}/{r}/git/trees/{sha}");
      const files = this.trees.get(m[1] ?? "") ?? new Map<string, string>();
      const tree = [...files].map(([p, c]) => ({
        path: p,
        type: "blob",
        sha: blobSha(c),
        size: Buffer.byteLength(c),
      }));
      return send(200, { sha: m[1], tree, truncated: false });
    }
    if (req.method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/git\/blobs\/([0-9a-f]+)$/))) {
      const id = m[1] ?? "";
      this.count(
        this.untouchedBlobs.has(id) ? "GET blob of an UNTOUCHED file" : "GET /repos/{o}/{r}/git/blobs/{sha}",
      );
      const content = this.blobs.get(id);
      if (content === undefined) return send(404, { message: "Not Found" });
      return send(200, { sha: id, encoding: "base64", content: Buffer.from(content).toString("base64") });
    }
    if (req.method === "POST" && path === "/graphql") {
      this.count("POST /graphql (blobs, 100 per query)");
      const query = String(body["query"] ?? "");
      const repository: Record<string, unknown> = {};
      for (const match of query.matchAll(/(b\d+): object\(oid: "([0-9a-f]+)"\)/g)) {
        const content = this.blobs.get(match[2] ?? "");
        if (this.untouchedBlobs.has(match[2] ?? "")) this.count("GET blob of an UNTOUCHED file");
        repository[match[1] ?? ""] =
          content === undefined ? null : { text: content, isBinary: false, isTruncated: false };
      }
      return send(200, { data: { repository } });
    }
    if (req.method === "GET" && path === `${repo}/pulls/7/reviews`) {
      this.count("GET /repos/{o}/{r}/pulls/{n}/reviews");
      return send(200, this.reviews);
    }
    if (req.method === "GET" && path === `${repo}/pulls/7/commits`) {
      this.count("GET /repos/{o}/{r}/pulls/{n}/commits");
      return send(200, [
        { sha: sha("c1"), author: { login: "deploy-agent" }, committer: { login: "web-flow" } },
      ]);
    }
    if (
      req.method === "GET" &&
      (m = path.match(/^\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]+)\/check-runs$/))
    ) {
      this.count("GET /repos/{o}/{r}/commits/{ref}/check-runs");
      const digest = this.digests.get(m[1] ?? "");
      return send(200, {
        total_count: digest ? 1 : 0,
        check_runs: digest
          ? [
              {
                id: 1,
                name: "countersign",
                head_sha: m[1],
                status: "completed",
                conclusion: "action_required",
                external_id: digest,
                output: {},
                app: { id: 1 },
              },
            ]
          : [],
      });
    }
    if (req.method === "POST" && path === `${repo}/check-runs`) {
      this.count("POST /repos/{o}/{r}/check-runs");
      return send(201, { id: this.nextId++ });
    }
    if (req.method === "PATCH" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/))) {
      this.count("PATCH /repos/{o}/{r}/check-runs/{id}");
      send(200, { id: Number(m[1]) });
      if (body["status"] === "completed") this.onCompleted?.();
      return;
    }
    if (req.method === "GET" && path === `${repo}/issues/7/comments`) {
      this.count("GET /repos/{o}/{r}/issues/{n}/comments");
      return send(200, []);
    }
    if (req.method === "POST" && path === `${repo}/issues/7/comments`) {
      this.count("POST /repos/{o}/{r}/issues/{n}/comments");
      return send(201, { id: 500 });
    }
    if (req.method === "PATCH" && path === `${repo}/issues/comments/500`) {
      this.count("PATCH /repos/{o}/{r}/issues/comments/{id}");
      return send(200, { id: 500 });
    }
    if (req.method === "GET" && /^\/orgs\/[^/]+\/teams\/[^/]+\/members$/.test(path)) {
      this.count("GET /orgs/{org}/teams/{slug}/members");
      return send(200, [{ login: "alice" }]);
    }
    this.count(`UNEXPECTED ${req.method} ${path}`);
    return send(404, { message: "Not Found" });
  }
}

function prPayload(action: string, head: string, base: string, updatedAt: string): Record<string, unknown> {
  const pull = {
    number: 7,
    state: "open",
    updated_at: updatedAt,
    head: { sha: head, ref: "agent/change" },
    base: { sha: base, ref: "main" },
    user: { login: "deploy-agent" },
    draft: false,
  };
  return {
    action,
    number: 7,
    pull_request: pull,
    repository: { name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } },
    installation: { id: 2 },
    sender: { login: "deploy-agent" },
  };
}

function reviewPayload(head: string, base: string, updatedAt: string): Record<string, unknown> {
  const pr = prPayload("opened", head, base, updatedAt);
  return {
    ...pr,
    action: "submitted",
    review: { id: 77, user: { login: "alice" }, state: "approved", commit_id: head },
  };
}

export async function run(): Promise<void> {
  const fake = new FakeGitHub();
  const api = createServer((req, res) => void fake.handle(req, res));
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  const apiPort = (api.address() as AddressInfo).port;
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs1",
    format: "pem",
  }) as string;
  const gate = await startGate(
    gateConfig({
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      PORT: "0",
      HOST: "127.0.0.1",
      GITHUB_API_URL: `http://127.0.0.1:${apiPort}`,
    }),
    { testing: true, log: pino({ level: process.env.BENCH_LOG_LEVEL ?? "silent" }) },
  );

  let delivery = 0;
  const deliver = async (event: string, payload: Record<string, unknown>): Promise<number> => {
    const body = JSON.stringify(payload);
    const completed = new Promise<void>((resolve, reject) => {
      fake.onCompleted = resolve;
      setTimeout(() => reject(new Error(`no completed check run within 60 s for ${event}`)), 60_000).unref();
    });
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${gate.port}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": `bench-${++delivery}`,
        "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
      },
      body,
    });
    await response.text();
    await completed;
    return performance.now() - started;
  };
  const print = (label: string, ms: number): void => {
    const total = [...fake.counts.values()].reduce((a, b) => a + b, 0);
    console.log(`  ${label}: ${ms.toFixed(0)} ms, ${total} GitHub requests`);
    for (const [route, n] of [...fake.counts].sort()) console.log(`    ${String(n).padStart(5)}  ${route}`);
    fake.reset();
  };

  try {
    for (const [index, s] of [
      scenario("1,000 objects in 10 files", 10),
      scenario("1,000 objects in 1,000 files", 1000),
    ].entries()) {
      const base = sha(`base-${index}`);
      const head = sha(`head-${index}`);
      const head2 = sha(`head2-${index}`);
      fake.addCommit(base, s.base);
      fake.addCommit(head, s.head);
      fake.addCommit(head2, s.head2);
      fake.reviews = [];
      fake.reset();
      console.log(`gate: PR changing ${s.name} (+5,000 untouched files in the tree)`);
      print(
        "pull_request.opened (cold caches)",
        await deliver("pull_request", prPayload("opened", head, base, `2026-01-0${index + 1}T00:00:00Z`)),
      );
      fake.digests.set(head, "0".repeat(64));
      print(
        "pull_request.synchronize (new head, same base)",
        await deliver(
          "pull_request",
          prPayload("synchronize", head2, base, `2026-01-0${index + 1}T01:00:00Z`),
        ),
      );
      fake.reviews = [
        {
          id: 77,
          user: { login: "alice", type: "User" },
          state: "APPROVED",
          commit_id: head2,
          submitted_at: "2026-01-01T02:00:00Z",
          author_association: "MEMBER",
        },
      ];
      print(
        "pull_request_review.submitted",
        await deliver("pull_request_review", reviewPayload(head2, base, `2026-01-0${index + 1}T02:00:00Z`)),
      );
    }
    const rss = process.memoryUsage().rss / 1024 / 1024;
    console.log(`  process RSS after the runs: ${rss.toFixed(0)} MiB`);
  } finally {
    await gate.stop();
    await new Promise<void>((resolve) => api.close(() => resolve()));
  }
}
