import { join } from "node:path";
import { Command } from "commander";
import { AuditLog } from "../../src/audit/audit-log.js";
import { LocalAuditStore } from "../../src/audit/local-store.js";
import { registerAudit } from "../../src/cli/audit.js";
import { DIGEST_A, DIGEST_B, approval, fakeMasker } from "../core/audit/fixtures.js";

export const NOW = new Date("2026-02-01T12:00:00Z");

/** A local store with a fixed-time history: an apply of PR 7, a refusal, an apply of PR 8 that failed. */
export async function seedStore(root: string): Promise<void> {
  let t = Date.parse("2026-01-30T09:00:00Z");
  let n = 0;
  const log = new AuditLog({
    store: new LocalAuditStore(root),
    cluster: "prod",
    actor: "system:serviceaccount:countersign:reconciler",
    masker: fakeMasker,
    spool: join(root, "..", "spool"),
    clock: { now: () => new Date((t += 60_000)) },
    newId: () => `rec-${++n}`,
  });
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "web" },
    data: { password: "aHVudGVyMg==" },
  };
  const h1 = await log.appendIntent({
    repository: "acme/infra",
    commit: "1111111aaaaaaa",
    pullRequests: [7],
    approvals: [
      approval(7, [{ key: "/Secret/web/db", op: "update", afterDigest: DIGEST_A, level: "critical" }]),
    ],
    objects: [{ key: "/Secret/web/db", op: "update", digest: DIGEST_A, object: secret, level: "critical" }],
  });
  await log.appendResult(h1, {
    status: "succeeded",
    objects: [{ key: "/Secret/web/db", op: "update", digest: DIGEST_A, outcome: "configured" }],
  });
  await log.appendRefusal({
    repository: "acme/infra",
    commit: "2222222bbbbbbb",
    objects: [{ key: "/ConfigMap/web/cfg", op: "create", digest: DIGEST_B }],
    message: "direct push <script>alert(1)</script> not approved",
  });
  const h2 = await log.appendIntent({
    repository: "acme/infra",
    commit: "3333333ccccccc",
    pullRequests: [8],
    approvals: [
      approval(8, [{ key: "/ConfigMap/web/cfg", op: "create", afterDigest: DIGEST_B, level: "low" }]),
    ],
    objects: [
      {
        key: "/ConfigMap/web/cfg",
        op: "create",
        digest: DIGEST_B,
        object: { kind: "ConfigMap", data: { a: "b" } },
        level: "low",
      },
    ],
  });
  await log.appendResult(h2, {
    status: "failed",
    objects: [
      {
        key: "/ConfigMap/web/cfg",
        op: "create",
        digest: DIGEST_B,
        outcome: "failed",
        message: "admission webhook denied",
      },
    ],
  });
  log.close();
}

/** Runs `countersign audit ...` in-process; returns what it printed and the exit code it set. */
export async function runAudit(
  args: string[],
  store: string,
): Promise<{ out: string; code: number; err: string }> {
  let out = "";
  let err = "";
  const program = new Command("countersign").exitOverride();
  registerAudit(program, {
    now: () => NOW,
    write: (text) => void (out += text),
    warn: (text) => void (err += text),
    env: { COUNTERSIGN_AUDIT_STORE: store },
  });
  const before = process.exitCode;
  process.exitCode = 0;
  await program.parseAsync(["node", "countersign", "audit", ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { out, code, err };
}
