import { describe, expect, it } from "vitest";
import {
  buildApprovalRecord,
  decodeApprovalRecord,
  encodeApprovalRecord,
} from "../../src/core/approval/record.js";
import { contentDigest, objectDigest } from "../../src/core/canonical.js";
import { diffManifestSets } from "../../src/core/change-set.js";
import { buildManifestSet } from "../../src/core/manifest-set.js";
import type { KubeObject, Plan } from "../../src/core/model.js";

const KEY = "deployment-fingerprint-key-0123456789";
const PIN = "4821";

function secret(pin: string, kind = "Secret", field: "data" | "stringData" = "data"): KubeObject {
  const value = field === "data" ? Buffer.from(pin).toString("base64") : pin;
  return { apiVersion: "v1", kind, metadata: { name: "door", namespace: "web" }, [field]: { pin: value } };
}

function manifest(pin: string, kind = "Secret", field: "data" | "stringData" = "data"): string {
  return JSON.stringify(secret(pin, kind, field));
}

/** The approval record the gate would publish for a PR adding the Secret, with the deployment's key. */
function publishedRecordText(kind: string, field: "data" | "stringData"): string {
  const base = buildManifestSet([], { secretDigestKey: KEY });
  const head = buildManifestSet([{ path: "clusters/prod/door.json", content: manifest(PIN, kind, field) }], {
    secretDigestKey: KEY,
  });
  expect(head.errors).toEqual([]);
  const changeSet = diffManifestSets(base, head);
  const plan: Plan = {
    changeSet,
    classification: {
      level: "high",
      requirement: { approvals: 1, teams: [], users: [], auto: false },
      changes: changeSet.changes.map((change) => ({ change, level: "high" as const, findings: [] })),
      policyDigest: "e".repeat(64),
    },
    skipped: [],
    errors: [],
  };
  const record = buildApprovalRecord({
    repository: "org/infra",
    pullRequest: 7,
    author: "bob",
    headSha: "1".repeat(40),
    baseSha: "2".repeat(40),
    protectedFiles: [],
    plan,
    verdict: {
      satisfied: true,
      auto: false,
      requirement: plan.classification.requirement,
      needed: 1,
      approvers: [{ login: "alice", reviewId: 1, submittedAt: "2026-01-01T10:00:00Z" }],
      blocking: [],
      ignored: [],
      byAssociation: true,
    },
    createdAt: "2026-01-01T11:00:00Z",
  });
  return encodeApprovalRecord(record);
}

const PINS = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, "0"));

describe("digests of Secrets", () => {
  it.each([
    ["Secret", "data"],
    ["secret", "stringData"],
    ["SECRET", "data"],
  ] as const)(
    "a 4-digit PIN in a %s's %s cannot be recovered from the published record without the key",
    (kind, field) => {
      const recorded = decodeApprovalRecord(publishedRecordText(kind, field));
      const digest = recorded?.changes[0]?.afterDigest;
      expect(digest).toMatch(/^[0-9a-f]{64}$/);
      // The attacker knows everything but the PIN, and tries all 10,000 values: unkeyed, and with a guessed key.
      const unkeyed = PINS.filter((pin) => objectDigest(secret(pin, kind, field)) === digest);
      const guessedKey = PINS.filter((pin) => objectDigest(secret(pin, kind, field), "guess") === digest);
      expect(unkeyed).toEqual([]);
      expect(guessedKey).toEqual([]);
      // Whoever holds the deployment's key (the gate, the reconciler) matches it: the search could succeed.
      expect(PINS.filter((pin) => objectDigest(secret(pin, kind, field), KEY) === digest)).toEqual([PIN]);
    },
  );

  it("keys Secrets only: other objects keep their plain, published digests", () => {
    const configMap: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "a" },
      data: { pin: PIN },
    };
    expect(objectDigest(configMap, KEY)).toBe(objectDigest(configMap));
    expect(objectDigest(secret(PIN), KEY)).not.toBe(objectDigest(secret(PIN)));
    expect(objectDigest(secret(PIN), KEY)).not.toBe(objectDigest(secret(PIN), `${KEY}x`));
  });

  it("matches the digest the manifest set computes, so approved and applied content compare equal", () => {
    const set = buildManifestSet([{ path: "a.json", content: manifest(PIN) }], { secretDigestKey: KEY });
    const [object] = set.objects.values();
    expect(object?.digest).toBe(objectDigest(secret(PIN), KEY));
    expect(object?.digest).toBe(contentDigest(object?.object ?? {}, KEY));
  });

  it("refuses an empty key", () => {
    expect(() => objectDigest(secret(PIN), "")).toThrow(/key must not be empty/);
  });
});
