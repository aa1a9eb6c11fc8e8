import type { Masker } from "../../../src/core/mask/types.js";
import type { KubeObject } from "../../../src/core/model.js";
import { buildRecordBody, resultId } from "../../../src/core/audit/build.js";
import type { AuditApproval, AuditRecord } from "../../../src/core/audit/record.js";
import { sealRecord } from "../../../src/core/audit/seal.js";

/** A stand-in Masker: replaces Secret data and any "hunter2" in text, so tests can see masking happen. */
export const fakeMasker: Masker = {
  maskObject(object: KubeObject): KubeObject {
    const copy = structuredClone(object);
    if (copy.kind === "Secret" && copy.data && typeof copy.data === "object") {
      copy.data = Object.fromEntries(Object.keys(copy.data).map((k) => [k, "***"]));
    }
    return JSON.parse(JSON.stringify(copy).replaceAll("hunter2", "***")) as KubeObject;
  },
  maskText: (text) => text.replaceAll("hunter2", "***"),
  fingerprint: () => "fp",
};

export const DIGEST_A = "a".repeat(64);
export const DIGEST_B = "b".repeat(64);

export function approval(pr: number, changes: AuditApproval["changes"]): AuditApproval {
  return {
    pullRequest: pr,
    headSha: "1".repeat(40),
    checkRunId: 9000 + pr,
    changeSetDigest: "c".repeat(64),
    policyDigest: "d".repeat(64),
    level: "high",
    auto: false,
    approvers: [{ login: "alice", reviewId: 77, submittedAt: "2026-01-01T10:00:00Z" }],
    changes,
  };
}

const base = {
  cluster: "prod",
  actor: "system:serviceaccount:countersign:reconciler",
  repository: "acme/infra",
};

/** A valid chain: intent/result for PR 1, a refusal, intent/result for PR 2. */
export function sampleChain(start = Date.parse("2026-01-02T00:00:00Z")): AuditRecord[] {
  const bodies = [
    buildRecordBody(
      "intent",
      {
        ...base,
        id: "i1",
        commit: "abcdef1234",
        pullRequests: [1],
        approvals: [
          approval(1, [
            { key: "apps/Deployment/web/api", op: "update", afterDigest: DIGEST_A, level: "high" },
          ]),
        ],
        objects: [
          {
            key: "apps/Deployment/web/api",
            op: "update",
            digest: DIGEST_A,
            object: { kind: "Deployment", spec: { password: "hunter2" } },
          },
        ],
      },
      fakeMasker,
    ),
    buildRecordBody(
      "result",
      {
        ...base,
        id: resultId("i1"),
        commit: "abcdef1234",
        pullRequests: [1],
        objects: [{ key: "apps/Deployment/web/api", op: "update", digest: DIGEST_A, outcome: "configured" }],
      },
      fakeMasker,
      { intent: "i1", status: "succeeded" },
    ),
    buildRecordBody(
      "refusal",
      {
        ...base,
        id: "r1",
        commit: "bbbbbbb999",
        pullRequests: [],
        objects: [
          {
            key: "/ConfigMap/web/cfg",
            op: "create",
            digest: DIGEST_B,
            outcome: "refused",
            message: "direct push",
          },
        ],
      },
      fakeMasker,
    ),
    buildRecordBody(
      "intent",
      {
        ...base,
        id: "i2",
        commit: "ccccccc111",
        pullRequests: [2],
        approvals: [
          approval(2, [{ key: "/ConfigMap/web/cfg", op: "delete", afterDigest: "", level: "low" }]),
        ],
        objects: [{ key: "/ConfigMap/web/cfg", op: "delete", digest: "" }],
      },
      fakeMasker,
    ),
    buildRecordBody(
      "result",
      {
        ...base,
        id: resultId("i2"),
        commit: "ccccccc111",
        pullRequests: [2],
        objects: [{ key: "/ConfigMap/web/cfg", op: "delete", digest: "", outcome: "deleted" }],
      },
      fakeMasker,
      { intent: "i2", status: "succeeded" },
    ),
  ];
  const out: AuditRecord[] = [];
  bodies.forEach((b, i) =>
    out.push(sealRecord(b, out[out.length - 1] ?? null, new Date(start + i * 60_000))),
  );
  return out;
}
