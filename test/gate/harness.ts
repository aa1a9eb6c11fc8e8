/**
 * Test harness of the gate: a Probot instance with a key generated at test time, the gate app
 * loaded with the test policy, webhook payloads from @octokit/webhooks-examples (fresh clones),
 * and nock interceptors for one repository, registered call by call so that a missing or extra
 * GitHub request fails the test.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import nock from "nock";
import { afterEach, beforeAll, beforeEach } from "vitest";
import { pino } from "pino";
import { Probot } from "probot";
import { buildOctokitClass } from "../../src/clients/github.js";
import { createGateApp } from "../../src/gate/app.js";
import { createDefaultEngine } from "../../src/policy-engine/engine.js";
import { createGateRuntime } from "../../src/gate/runtime.js";
import type { GateRuntime } from "../../src/gate/runtime.js";

export const API = "https://api.github.com";
export const APP_ID = 123;
export const INSTALLATION_ID = 2;
export const OWNER = "acme";
export const REPO = "deploy";
export const PR_NUMBER = 7;
export const WEBHOOK_SECRET = "test-webhook-secret-0123456789";
export const FIXED_NOW = new Date("2026-01-02T03:04:05.000Z");

let key: string | undefined;
/** An RSA key made for this test run only (never committed). */
export function testPrivateKey(): string {
  key ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs1",
    format: "pem",
  }) as string;
  return key;
}

export const TEST_POLICY = readFileSync(
  new URL("../fixtures/github/test-policy.yaml", import.meta.url),
  "utf8",
);

export const CONFIG = `version: 1
paths:
  - path: clusters/prod
    cluster: prod
policy: default
agents: [deploy-agent]
`;

/** A 40-hex SHA derived from a name, so snapshots stay stable. */
export function sha(name: string): string {
  return createHash("sha1").update(name).digest("hex");
}

/** Git's blob id of `content`. */
export function blobSha(content: string): string {
  return createHash("sha1")
    .update(`blob ${Buffer.byteLength(content)}\0`)
    .update(content)
    .digest("hex");
}

export function deployment(name: string, image: string, namespace = "web"): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  template:
    spec:
      containers:
        - name: app
          image: ${image}
`;
}

export function configMap(name: string, value: string, namespace = "web"): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
data:
  value: "${value}"
`;
}

const require = createRequire(import.meta.url);
type Example = { name: string; examples: Record<string, unknown>[] };
const examples = require("@octokit/webhooks-examples") as Example[];

/** A fresh clone of the first example payload of `event` with `action`. */
export function examplePayload(event: string, action: string): Record<string, unknown> {
  const found = examples.find((e) => e.name === event)?.examples.find((p) => p["action"] === action);
  if (found === undefined) throw new Error(`no webhook example for ${event}.${action}`);
  const payload = structuredClone(found);
  payload["installation"] = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" };
  const repository = payload["repository"] as Record<string, unknown>;
  repository["name"] = REPO;
  repository["full_name"] = `${OWNER}/${REPO}`;
  (repository["owner"] as Record<string, unknown>)["login"] = OWNER;
  return payload;
}

export interface PullOptions {
  head: string;
  base: string;
  author?: string;
  updatedAt?: string;
  action?: string;
}

export function pullRequestPayload(options: PullOptions): Record<string, unknown> {
  const payload = examplePayload("pull_request", options.action ?? "opened");
  const pr = payload["pull_request"] as Record<string, unknown>;
  pr["number"] = PR_NUMBER;
  payload["number"] = PR_NUMBER;
  pr["state"] = "open";
  pr["updated_at"] = options.updatedAt ?? "2026-01-01T00:00:00Z";
  (pr["head"] as Record<string, unknown>)["sha"] = options.head;
  (pr["base"] as Record<string, unknown>)["sha"] = options.base;
  (pr["base"] as Record<string, unknown>)["ref"] = "main";
  (pr["user"] as Record<string, unknown>)["login"] = options.author ?? "deploy-agent";
  return payload;
}

export function reviewPayload(options: PullOptions & { reviewer: string }): Record<string, unknown> {
  const payload = examplePayload("pull_request_review", "submitted");
  const pr = pullRequestPayload(options)["pull_request"];
  payload["pull_request"] = pr;
  const review = payload["review"] as Record<string, unknown>;
  (review["user"] as Record<string, unknown>)["login"] = options.reviewer;
  review["commit_id"] = options.head;
  return payload;
}

/** A Probot with the gate loaded; GitHub is whatever nock answers. */
export async function createTestGate(
  runtime?: GateRuntime,
  log: pino.Logger = pino({ level: "silent" }),
): Promise<{ probot: Probot; runtime: GateRuntime }> {
  const engine = createDefaultEngine({
    defaultSources: async () => [{ file: "test-policy.yaml", content: TEST_POLICY }],
  });
  const rt = runtime ?? createGateRuntime({ engine, appId: APP_ID, clock: { now: () => FIXED_NOW } });
  const probot = new Probot({
    appId: APP_ID,
    privateKey: testPrivateKey(),
    secret: WEBHOOK_SECRET,
    Octokit: buildOctokitClass({ testing: true, metrics: rt.metrics }),
    log,
  });
  await probot.load(createGateApp(rt));
  return { probot, runtime: rt };
}

/** A logger writing JSON lines into `lines` (parsed), for tests that read what the gate logs. */
export function capturingLog(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: "info" },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { log, lines };
}

/** Files of one commit: path -> content. */
export type Files = Record<string, string>;

const repoPath = `/repos/${OWNER}/${REPO}`;

/** Registers the GitHub calls of one repository; every helper adds exactly the calls it names. */
export class GitHubScope {
  readonly scope = nock(API);
  /** Bodies of the check-run and comment writes, in order. */
  readonly writes: { method: string; path: string; body: Record<string, unknown> }[] = [];

  private record(method: string) {
    return (path: string, body: nock.Body): void => {
      this.writes.push({ method, path, body: body as Record<string, unknown> });
    };
  }

  token(): this {
    this.scope
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: "ghs_testtoken", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    return this;
  }

  /** No `.github/countersign.yml` on the default branch (or `status` for an error). */
  noConfig(status = 404): this {
    this.scope.get(`${repoPath}/contents/.github%2Fcountersign.yml`).reply(status, { message: "Not Found" });
    return this;
  }

  config(text: string = CONFIG): this {
    this.scope
      .get(`${repoPath}/contents/.github%2Fcountersign.yml`)
      .reply(
        200,
        { type: "file", encoding: "base64", content: Buffer.from(text).toString("base64") },
        { etag: `"${blobSha(text)}"` },
      );
    return this;
  }

  startCheck(id = 1): this {
    this.scope.post(`${repoPath}/check-runs`).reply(201, (path, body) => {
      this.record("POST")(path, body);
      return { id };
    });
    return this;
  }

  /** The verdict's check run, created completed (the gate's one write per verdict). */
  publishCheck(id = 1): this {
    return this.startCheck(id);
  }

  completeCheck(id = 1, times = 1): this {
    this.scope
      .patch(`${repoPath}/check-runs/${id}`)
      .times(times)
      .reply(200, (path, body) => {
        this.record("PATCH")(path, body);
        return { id };
      });
    return this;
  }

  compare(base: string, head: string, mergeBase = base): this {
    this.scope
      .get(`${repoPath}/compare/${base}...${head}`)
      .query(true)
      .reply(200, { merge_base_commit: { sha: mergeBase }, commits: [] });
    return this;
  }

  /** The tree of `commit` and, for `fetch`, the blobs the gate is expected to read. */
  tree(commit: string, files: Files): this {
    const tree = Object.entries(files).map(([path, content]) => ({
      path,
      type: "blob",
      mode: "100644",
      sha: blobSha(content),
      size: Buffer.byteLength(content),
    }));
    this.scope
      .get(`${repoPath}/git/trees/${commit}`)
      .query({ recursive: "1" })
      .reply(200, { sha: commit, tree, truncated: false });
    return this;
  }

  blobs(...contents: string[]): this {
    for (const content of contents) {
      this.scope.get(`${repoPath}/git/blobs/${blobSha(content)}`).reply(200, {
        sha: blobSha(content),
        encoding: "base64",
        content: Buffer.from(content).toString("base64"),
      });
    }
    return this;
  }

  reviews(
    reviews: { id: number; login: string; state: string; commit: string; at?: string; bot?: boolean }[],
  ): this {
    this.scope
      .get(`${repoPath}/pulls/${PR_NUMBER}/reviews`)
      .query(true)
      .reply(
        200,
        reviews.map((r) => ({
          id: r.id,
          user: { login: r.login, type: r.bot === true ? "Bot" : "User" },
          state: r.state,
          commit_id: r.commit,
          submitted_at: r.at ?? "2026-01-01T10:00:00Z",
          author_association: "MEMBER",
        })),
      );
    return this;
  }

  commits(accounts: { author?: string; committer?: string }[] = [{ author: "deploy-agent" }]): this {
    this.scope
      .get(`${repoPath}/pulls/${PR_NUMBER}/commits`)
      .query(true)
      .reply(
        200,
        accounts.map((a, i) => ({
          sha: sha(`commit-${i}`),
          author: a.author === undefined ? null : { login: a.author },
          committer: a.committer === undefined ? null : { login: a.committer },
        })),
      );
    return this;
  }

  team(org: string, slug: string, members: string[]): this {
    this.scope
      .get(`/orgs/${org}/teams/${slug}/members`)
      .query(true)
      .reply(
        200,
        members.map((login) => ({ login })),
      );
    return this;
  }

  checksForRef(
    ref: string,
    runs: {
      id: number;
      externalId?: string;
      conclusion?: string;
      text?: string;
      status?: string;
      startedAt?: string;
    }[],
  ): this {
    this.scope
      .get(`${repoPath}/commits/${ref}/check-runs`)
      .query(true)
      .reply(200, {
        total_count: runs.length,
        check_runs: runs.map((r) => ({
          id: r.id,
          name: "countersign",
          head_sha: ref,
          status: r.status ?? "completed",
          started_at: r.startedAt ?? null,
          conclusion: r.status === "in_progress" ? null : (r.conclusion ?? "action_required"),
          external_id: r.externalId ?? null,
          output: { title: "t", summary: "s", text: r.text ?? null },
          app: { id: APP_ID },
        })),
      });
    return this;
  }

  listComments(comments: { id: number; body: string; bot?: boolean }[] = []): this {
    this.scope
      .get(`${repoPath}/issues/${PR_NUMBER}/comments`)
      .query(true)
      .reply(
        200,
        comments.map((c) => ({
          id: c.id,
          body: c.body,
          user: {
            login: c.bot === false ? "mallory" : "countersign[bot]",
            type: c.bot === false ? "User" : "Bot",
          },
          performed_via_github_app: c.bot === false ? null : { id: APP_ID },
        })),
      );
    return this;
  }

  createComment(id = 500): this {
    this.scope.post(`${repoPath}/issues/${PR_NUMBER}/comments`).reply(201, (path, body) => {
      this.record("POST")(path, body);
      return { id };
    });
    return this;
  }

  updateComment(id = 500): this {
    this.scope.patch(`${repoPath}/issues/comments/${id}`).reply(200, (path, body) => {
      this.record("PATCH")(path, body);
      return { id };
    });
    return this;
  }

  /** Check run writes that carry a result (runs created completed, and updates), in order. */
  checkUpdates(): Record<string, unknown>[] {
    return this.writes
      .filter(
        (w) =>
          w.path.includes("/check-runs") &&
          (w.method === "PATCH" || (w.method === "POST" && w.body["status"] === "completed")),
      )
      .map((w) => w.body);
  }

  commentWrites(): { method: string; body: Record<string, unknown> }[] {
    return this.writes.filter((w) => w.path.includes("comments"));
  }
}

/** Requests nock could not match (they would otherwise only surface as a logged evaluation error). */
export function trackUnmatched(): { list: string[]; stop(): void } {
  const list: string[] = [];
  const listener = (req: { method?: string; path?: string; hostname?: string; host?: string }): void => {
    const host = req.hostname ?? req.host ?? "";
    // Requests to the local test server are allowed through, not GitHub calls.
    if (host.startsWith("127.0.0.1") || host.startsWith("localhost")) return;
    list.push(`${req.method ?? "?"} ${host}${req.path ?? "?"}`);
  };
  nock.emitter.on("no match", listener);
  return { list, stop: () => nock.emitter.removeListener("no match", listener) };
}

/**
 * Registers the hooks every gate test file needs: the test private key, no real network, a fresh
 * unmatched-request tracker per test, and no interceptor left over afterwards. Read `.list` of the
 * returned tracker inside a test.
 */
export function isolateGitHub(): { readonly list: string[] } {
  let current: ReturnType<typeof trackUnmatched> | undefined;
  beforeAll(() => {
    testPrivateKey();
    nock.disableNetConnect();
  });
  beforeEach(() => {
    current = trackUnmatched();
  });
  afterEach(() => {
    current?.stop();
    nock.cleanAll();
  });
  return {
    get list(): string[] {
      return current?.list ?? [];
    },
  };
}
