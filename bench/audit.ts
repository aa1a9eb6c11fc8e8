/**
 * Benchmark section "audit": `audit verify` over 10,000 records in the local store (target < 5 s),
 * and the latency the intent write adds to an apply with the local store (median / p95 of 200).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { AuditLog } from "../src/audit/audit-log.js";
import { LocalAuditStore } from "../src/audit/local-store.js";
import { readChain } from "../src/audit/read-chain.js";
import { buildRecordBody, resultId } from "../src/core/audit/build.js";
import type { AuditRecord, AuditRecordBody } from "../src/core/audit/record.js";
import { recordKey, sealRecord } from "../src/core/audit/seal.js";
import { verifyChain } from "../src/core/audit/verify.js";
import type { Masker } from "../src/core/mask/types.js";
import type { KubeObject } from "../src/core/model.js";

const RECORDS = 10_000;
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
    // Setup writes the files of the store layout directly (appending 10,000 records through the
    // store, fsync off, takes ~35 s here); what is measured is the read + verify of `audit verify`.
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

    start = performance.now();
    const chain = await readChain(new LocalAuditStore(root), "prod");
    const readMs = performance.now() - start;
    const verdict = verifyChain(chain.records, { cluster: "prod", headHash: chain.headHash });
    const totalMs = performance.now() - start;
    if (!verdict.ok) throw new Error(`bench chain did not verify: ${verdict.problem.message}`);
    console.log(
      `audit verify, ${RECORDS} records, local store: ${(totalMs / 1000).toFixed(2)} s (read ${(readMs / 1000).toFixed(2)} s, verify ${((totalMs - readMs) / 1000).toFixed(2)} s; target < 5 s)`,
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
