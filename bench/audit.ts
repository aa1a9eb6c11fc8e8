/**
 * Benchmark section "audit": `countersign audit verify` and `audit ls --output json` over
 * 100,000 records in the local store, run as the built CLI in its own process (wall time and peak
 * memory; target < 10 s and < 200 MB), and the latency the intent write adds to an apply with the
 * local store (median / p95 of 200).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { AuditLog } from "../src/audit/audit-log.js";
import { LocalAuditStore } from "../src/audit/local-store.js";
import { buildRecordBody, resultId } from "../src/core/audit/build.js";
import type { AuditRecord, AuditRecordBody } from "../src/core/audit/record.js";
import { recordKey, sealRecord } from "../src/core/audit/seal.js";
import type { Masker } from "../src/core/mask/types.js";
import type { KubeObject } from "../src/core/model.js";

const RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 100_000);
const INTENTS = 200;

/** Masking is not what is measured here: an identity masker keeps the figures about the log. */
const identityMasker: Masker = {
  maskObject: (o: KubeObject) => structuredClone(o),
  maskText: (t) => t,
  fingerprint: () => "",
};

function deployment(i: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `app-${i}`, namespace: "web", labels: { app: `app-${i}` } },
    spec: {
      replicas: 2,
      template: { spec: { containers: [{ name: "app", image: `registry.example/app:${i}` }] } },
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "cs-bench-audit-"));
  try {
    const digest = "a".repeat(64);
    const key = "apps/Deployment/web/app";
    // Setup writes the files of the store layout directly (appending through the store is far
    // slower); what is measured is the CLI reading and verifying them.
    const root = join(dir, "verify");
    let head: AuditRecord | null = null;
    const put = async (body: AuditRecordBody, time: Date): Promise<void> => {
      const record = sealRecord(body, head, time);
      const path = join(root, recordKey(record));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
      head = record;
    };
    let start = performance.now();
    let t = Date.parse("2026-01-01T00:00:00Z");
    for (let i = 0; i < RECORDS / 2; i++) {
      const context = {
        id: `i${i}`,
        cluster: "prod",
        actor: "bench",
        repository: "acme/infra",
        commit: `${i}`.padStart(40, "0"),
      };
      const intent = buildRecordBody(
        "intent",
        {
          ...context,
          pullRequests: [i],
          approvals: [
            {
              pullRequest: i,
              headSha: "1".repeat(40),
              checkRunId: i,
              changeSetDigest: digest,
              policyDigest: digest,
              level: "high",
              auto: false,
              approvers: [{ login: "alice", reviewId: i, submittedAt: "2026-01-01T00:00:00Z" }],
              changes: [{ key, op: "update", afterDigest: digest, level: "high" }],
            },
          ],
          objects: [{ key, op: "update", digest, object: deployment(i) }],
        },
        identityMasker,
      );
      await put(intent, new Date((t += 1000)));
      const result = buildRecordBody(
        "result",
        {
          ...context,
          id: resultId(`i${i}`),
          objects: [{ key, op: "update", digest, outcome: "configured" }],
        },
        identityMasker,
        { intent: `i${i}`, status: "succeeded" },
      );
      await put(result, new Date((t += 1000)));
    }
    const last = head as AuditRecord | null;
    if (!last) throw new Error("bench setup wrote no records");
    await mkdir(join(root, "prod", "chain"), { recursive: true });
    await writeFile(
      join(root, "prod", "chain", `${String(last.seq).padStart(12, "0")}.json`),
      JSON.stringify(last),
    );
    await writeFile(join(root, "prod", "HEAD"), `${last.seq}\n`);
    console.log(`setup: ${RECORDS} records written in ${((performance.now() - start) / 1000).toFixed(1)} s`);

    // The production configuration: the compiled CLI, one process per command, as an auditor runs it.
    start = performance.now();
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
    console.log(`build: ${((performance.now() - start) / 1000).toFixed(1)} s`);
    const cli = (args: string[]): { seconds: number; cpu: number; peakMb: number; out: string } => {
      // GNU time reports wall time, CPU time (user, system) and peak resident set size (KB) on stderr.
      // CPU time is what the command costs on an idle machine; wall time here includes the wait for
      // a core on the shared machine.
      const run = spawnSync(
        "/usr/bin/time",
        ["-f", "%e %U %S %M", process.execPath, "dist/cli/index.js", "audit", ...args, "--store", root],
        { encoding: "utf8", maxBuffer: 1024 * 1024 * 1024 },
      );
      const [seconds, user, system, kb] = (run.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
      if (run.status !== 0) throw new Error(`audit ${args.join(" ")} failed: ${run.stderr.slice(0, 500)}`);
      return { seconds: seconds!, cpu: user! + system!, peakMb: kb! / 1024, out: run.stdout };
    };
    const verify = cli(["verify", "--cluster", "prod"]);
    if (!/^prod: OK, /.test(verify.out)) throw new Error(`bench chain did not verify: ${verify.out}`);
    console.log(
      `audit verify, ${RECORDS} records, local store: ${verify.seconds.toFixed(2)} s wall, ${verify.cpu.toFixed(2)} s CPU, peak ${verify.peakMb.toFixed(0)} MB (target < 10 s, < 200 MB); load average ${loadavg()[0]!.toFixed(1)}`,
    );
    const ls = cli(["ls", "--output", "json"]);
    console.log(
      `audit ls --output json, ${RECORDS} records: ${ls.seconds.toFixed(2)} s wall, ${ls.cpu.toFixed(2)} s CPU, peak ${ls.peakMb.toFixed(0)} MB, ${(ls.out.length / 1e6).toFixed(0)} MB of JSON; load average ${loadavg()[0]!.toFixed(1)}`,
    );

    const log = new AuditLog({
      store: new LocalAuditStore(join(dir, "latency")),
      cluster: "prod",
      actor: "bench",
      masker: identityMasker,
      spool: join(dir, "spool"),
    });
    const times: number[] = [];
    for (let i = 0; i < INTENTS; i++) {
      const begin = performance.now();
      const handle = await log.appendIntent({
        repository: "acme/infra",
        commit: "f".repeat(40),
        pullRequests: [i],
        approvals: [
          {
            pullRequest: i,
            headSha: "1".repeat(40),
            checkRunId: i,
            changeSetDigest: digest,
            policyDigest: digest,
            level: "high",
            auto: false,
            approvers: [],
            changes: [{ key, op: "update", afterDigest: digest, level: "high" }],
          },
        ],
        objects: [{ key, op: "update", digest, object: deployment(i) }],
      });
      times.push(performance.now() - begin);
      await log.appendResult(handle, {
        status: "succeeded",
        objects: [{ key, op: "update", digest, outcome: "configured" }],
      });
    }
    log.close();
    times.sort((a, b) => a - b);
    console.log(
      `intent write latency, local store with fsync, ${INTENTS} writes: median ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms, max ${times[times.length - 1]!.toFixed(2)} ms`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
