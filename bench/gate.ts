/**
 * Benchmark section "gate": the real gate (Probot server, default policy) in its PRODUCTION
 * client configuration (Probot's retries and throttling on, as `countersign gate` runs), against
 * a GitHub faked on 127.0.0.1 that answers every request after BENCH_GITHUB_LATENCY_MS (default
 * 50 ms). Measures, from the webhook's delivery, the time to the verdict (the completed check run)
 * and to the sticky comment, and counts GitHub requests by route. Targets: a 1,000-object PR in
 * < 2 s, and no request for files the PR does not touch.
 */
import { createHash, createHmac, generateKeyPairSync } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { pino } from "pino";
import { gateConfig, startGate } from "../src/gate/server.js";
import type { StartedGate } from "../src/gate/server.js";
import { FakeGitHub } from "./gate-fake-github.js";
import type { Files } from "./gate-fake-github.js";

const SECRET = "bench-webhook-secret-0123456789";
const OWNER = "acme";
const REPO = "deploy";
const LATENCY_MS = Number(process.env.BENCH_GITHUB_LATENCY_MS ?? "50");
const CONFIG = `version: 1\npaths:\n  - path: clusters/prod\n    cluster: prod\nagents: [deploy-agent]\n`;

const sha = (s: string): string => createHash("sha1").update(s).digest("hex");

function configMap(name: string, value: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: web\ndata:\n  value: "${value}"\n`;
}
function deployment(name: string, image: string): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`;
}

/** `objects` changed objects in `files` files (one in ten a Deployment), beside `untouched` files never read. */
function commits(tag: string, objects: number, files: number, untouched: number): [Files, Files, Files] {
  const sides: [Files, Files, Files] = [new Map(), new Map(), new Map()];
  const perFile = Math.max(1, Math.floor(objects / files));
  for (let f = 0; f < files; f++) {
    const docs = (v: string): string =>
      Array.from({ length: perFile }, (_, i) =>
        i % 10 === 0 ? deployment(`${tag}-app-${f}-${i}`, `app:${v}`) : configMap(`${tag}-cm-${f}-${i}`, v),
      ).join("---\n");
    sides.forEach((side, v) => side.set(`clusters/prod/${tag}/f${f}.yaml`, docs(String(v + 1))));
  }
  for (let u = 0; u < untouched; u++) {
    const c = configMap(`untouched-${u}`, "x");
    for (const side of sides) side.set(`clusters/prod/untouched/u${u}.yaml`, c);
  }
  for (const side of sides) side.set(".github/countersign.yml", CONFIG);
  return sides;
}

function prPayload(number: number, action: string, head: string, base: string, updatedAt: string) {
  return {
    action,
    number,
    pull_request: {
      number,
      state: "open",
      updated_at: updatedAt,
      head: { sha: head, ref: `agent/change-${number}` },
      base: { sha: base, ref: "main" },
      user: { login: "deploy-agent" },
      draft: false,
    },
    repository: { name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } },
    installation: { id: 2 },
    sender: { login: "deploy-agent" },
  };
}

let privateKey: string | undefined;
let delivery = 0;

async function withGate(fake: FakeGitHub, body: (gate: StartedGate) => Promise<void>): Promise<void> {
  const api = await fake.start();
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs1",
    format: "pem",
  }) as string;
  // Production configuration: no `testing`, so Probot's throttling and retries are on.
  const gate = await startGate(
    gateConfig({
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      PORT: "0",
      HOST: "127.0.0.1",
      GITHUB_API_URL: api,
    }),
    { log: pino({ level: process.env.BENCH_LOG_LEVEL ?? "silent" }) },
  );
  try {
    await body(gate);
  } finally {
    await gate.stop();
    await fake.stop();
  }
}

/** Delivers a signed webhook; resolves with the ms to the verdict and, when `comment`, to the comment. */
async function deliver(
  gate: StartedGate,
  fake: FakeGitHub,
  event: string,
  payload: ReturnType<typeof prPayload>,
  comment: boolean,
): Promise<{ verdict: number; comment?: number; cpu: number }> {
  const text = JSON.stringify(payload);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const head = payload.pull_request.head.sha;
  const verdict = fake.waitFor(`check:${head}`).then(() => performance.now() - started);
  const commented = comment
    ? fake.waitFor(`comment:${payload.number}`).then(() => performance.now() - started)
    : undefined;
  const response = await fetch(`http://127.0.0.1:${gate.port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": `bench-${++delivery}`,
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(text).digest("hex")}`,
    },
    body: text,
  });
  await response.text();
  const out: { verdict: number; comment?: number; cpu: number } = { verdict: await verdict, cpu: 0 };
  if (commented !== undefined) out.comment = await commented;
  const used = process.cpuUsage(cpu);
  out.cpu = (used.user + used.system) / 1000;
  return out;
}

function printCounts(fake: FakeGitHub): void {
  const total = [...fake.counts.values()].reduce((a, b) => a + b, 0);
  console.log(`      ${total} GitHub requests:`);
  for (const [route, n] of [...fake.counts].sort()) console.log(`      ${String(n).padStart(5)}  ${route}`);
  fake.reset();
}

function line(label: string, t: { verdict: number; comment?: number; cpu: number }): void {
  const comment = t.comment === undefined ? "" : `, comment ${t.comment.toFixed(0)} ms`;
  // CPU of this process (gate and fake) over the event: wall time well above it is waiting,
  // for GitHub or, on a busy machine, for a core.
  console.log(`    ${label}: verdict ${t.verdict.toFixed(0)} ms${comment} (CPU ${t.cpu.toFixed(0)} ms)`);
}

/** One PR: opened (cold caches), synchronize (new head), review (approval of the new head). */
async function singlePullRequest(name: string, files: number): Promise<void> {
  const fake = new FakeGitHub({ latencyMs: LATENCY_MS, config: CONFIG });
  const [b, h1, h2] = commits("changed", 1000, files, 5000);
  const [base, head, head2] = [sha(`base-${files}`), sha(`head-${files}`), sha(`head2-${files}`)];
  fake.addCommit(base, b);
  fake.addCommit(head, h1);
  fake.addCommit(head2, h2);
  console.log(`  PR changing ${name} (+5,000 untouched files in the tree):`);
  await withGate(fake, async (gate) => {
    line(
      "pull_request.opened, cold caches",
      await deliver(
        gate,
        fake,
        "pull_request",
        prPayload(7, "opened", head, base, "2026-01-01T00:00:00Z"),
        true,
      ),
    );
    printCounts(fake);
    fake.digests.set(head, "0".repeat(64));
    line(
      "pull_request.synchronize, new head",
      await deliver(
        gate,
        fake,
        "pull_request",
        prPayload(7, "synchronize", head2, base, "2026-01-01T01:00:00Z"),
        // The report reads the same for both heads, so the comment is left as it is.
        false,
      ),
    );
    printCounts(fake);
    fake.reviews.set(7, [
      {
        id: 77,
        user: { login: "alice", type: "User" },
        state: "APPROVED",
        commit_id: head2,
        submitted_at: "2026-01-01T02:00:00Z",
        author_association: "MEMBER",
      },
    ]);
    const review = {
      ...prPayload(7, "submitted", head2, base, "2026-01-01T02:00:00Z"),
      review: { id: 77, user: { login: "alice" }, state: "approved", commit_id: head2 },
    };
    line("pull_request_review.submitted", await deliver(gate, fake, "pull_request_review", review, false));
    printCounts(fake);
  });
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `median ${at(0.5).toFixed(0)} ms, max ${(sorted.at(-1) ?? 0).toFixed(0)} ms`;
}

/** `count` PRs of one installation opened at the same moment. */
async function concurrentPullRequests(count: number): Promise<void> {
  const fake = new FakeGitHub({ latencyMs: LATENCY_MS, config: CONFIG });
  const prs = Array.from({ length: count }, (_, i) => {
    const [b, h] = commits(`pr${i}`, 100, 10, 500);
    const [base, head] = [sha(`cbase-${i}`), sha(`chead-${i}`)];
    fake.addCommit(base, b);
    fake.addCommit(head, h);
    return { number: 100 + i, base, head };
  });
  console.log(`  ${count} PRs of one installation opened at once (100 objects in 10 files each):`);
  await withGate(fake, async (gate) => {
    const started = performance.now();
    const times = await Promise.all(
      prs.map((pr) =>
        deliver(
          gate,
          fake,
          "pull_request",
          prPayload(pr.number, "opened", pr.head, pr.base, "2026-01-01T00:00:00Z"),
          true,
        ),
      ),
    );
    console.log(`    verdicts: ${stats(times.map((t) => t.verdict))}`);
    console.log(`    comments: ${stats(times.map((t) => t.comment ?? 0))}`);
    console.log(`    all done after ${(performance.now() - started).toFixed(0)} ms`);
    printCounts(fake);
  });
}

/** GitHub Enterprise with GraphQL turned off: two PRs, one after the other. */
async function withoutGraphql(): Promise<void> {
  const fake = new FakeGitHub({ latencyMs: LATENCY_MS, config: CONFIG, graphqlOff: true });
  const prs = [0, 1].map((i) => {
    const [b, h] = commits(`nographql${i}`, 100, 20, 100);
    const [base, head] = [sha(`gbase-${i}`), sha(`ghead-${i}`)];
    fake.addCommit(base, b);
    fake.addCommit(head, h);
    return { number: 200 + i, base, head };
  });
  console.log(
    "  GraphQL answering 501 (GitHub Enterprise with GraphQL off), PRs of 100 objects in 20 files:",
  );
  await withGate(fake, async (gate) => {
    for (const [i, pr] of prs.entries()) {
      line(
        `PR ${i + 1}`,
        await deliver(
          gate,
          fake,
          "pull_request",
          prPayload(pr.number, "opened", pr.head, pr.base, "2026-01-01T00:00:00Z"),
          false,
        ),
      );
      printCounts(fake);
    }
  });
}

export async function run(): Promise<void> {
  console.log(
    `gate: production client (Probot retries and throttling on), GitHub faked on 127.0.0.1 answering after ${LATENCY_MS} ms per request`,
  );
  const load = loadavg().map((l) => l.toFixed(1));
  console.log(`  machine: ${cpus().length} cores, load average ${load.join(" ")} at start`);
  await singlePullRequest("1,000 objects in 10 files", 10);
  await singlePullRequest("1,000 objects in 1,000 files", 1000);
  await concurrentPullRequests(8);
  await withoutGraphql();
  const rss = process.memoryUsage().rss / 1024 / 1024;
  console.log(`  process RSS after the runs: ${rss.toFixed(0)} MiB`);
}
