import { createHash } from "node:crypto";
import { changeSetDigest } from "../../../src/core/approval/change-set-digest.js";
import type { Change, ManifestObject, Operation, Plan, RiskLevel } from "../../../src/core/model.js";

/** A hex digest made of one repeated character, or the sha256 of a number (realistic, incompressible). */
export function hex(seed: string | number): string {
  if (typeof seed === "number") return createHash("sha256").update(String(seed)).digest("hex");
  return seed.repeat(64).slice(0, 64);
}

function manifest(key: string, digest: string): ManifestObject {
  const [group = "", kind = "", namespace = "", name = ""] = key.split("/");
  return {
    key,
    group,
    version: "v1",
    apiVersion: group === "" ? "v1" : `${group}/v1`,
    kind,
    namespace,
    name,
    object: {},
    digest,
    source: { file: "clusters/prod/app.yaml", line: 1 },
  };
}

/** A plan with the given changes ([key, op, afterDigest, level]), its digest computed like the core does. */
export function planOf(entries: [string, Operation, string, RiskLevel][], level: RiskLevel = "high"): Plan {
  const changes: Change[] = entries.map(([key, op, digest]) => {
    const [group = "", kind = "", namespace = "", name = ""] = key.split("/");
    const change: Change = { key, op, group, kind, namespace, name, fields: [], deltas: [] };
    if (op !== "create") change.before = manifest(key, hex("0"));
    if (op !== "delete") change.after = manifest(key, digest);
    return change;
  });
  const digest = changeSetDigest(
    entries.map(([key, op, d]) => ({ key, op, afterDigest: op === "delete" ? "" : d })),
  );
  return {
    changeSet: { changes, unchanged: 0, digest },
    classification: {
      level,
      requirement: { approvals: 1, teams: ["org/sre"], users: [], auto: false },
      changes: changes.map((change, i) => ({ change, level: entries[i]?.[3] ?? level, findings: [] })),
      policyDigest: hex("e"),
    },
    skipped: [],
    errors: [],
  };
}
