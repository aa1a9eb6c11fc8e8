import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import S3rver from "s3rver";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildRecordBody } from "../../src/core/audit/build.js";
import type { AuditRecord } from "../../src/core/audit/record.js";
import { recordKey, sealRecord } from "../../src/core/audit/seal.js";
import { verifyChain } from "../../src/core/audit/verify.js";
import {
  AuditHeadConflictError,
  AuditHeadMissingError,
  AuditHeadRewoundError,
} from "../../src/core/ports/audit-store.js";
import { createS3Client } from "../../src/clients/s3.js";
import { readChain } from "../../src/audit/read-chain.js";
import { S3AuditStore } from "../../src/audit/s3-store.js";
import { fakeMasker } from "../core/audit/fixtures.js";
import { runAudit } from "../cli/audit-fixture.js";

const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

function refusal(id: string) {
  return buildRecordBody(
    "refusal",
    { id, cluster: "prod", actor: "t", repository: "acme/infra", commit: "0123456789" },
    fakeMasker,
  );
}

describe("S3AuditStore against s3rver", () => {
  let server: S3rver;
  let dir: string;
  let endpoint: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cs-s3rver-"));
    server = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: "audit" }],
    });
    const address = await server.run();
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses to write to an endpoint that ignores conditional writes, and names it", async () => {
    // s3rver ignores If-None-Match/If-Match, like some S3-compatible stores: two writers would fork.
    const client = createS3Client({ endpoint, forcePathStyle: true, region: "us-east-1", credentials });
    const store = new S3AuditStore(client, {
      bucket: "audit",
      prefix: "refused",
      objectLock: { mode: "GOVERNANCE", days: 1 },
    });
    const probe = await store.probe();
    expect(probe.conditionalWrites).toBe(false);
    expect(probe.objectLock).toBe("missing");
    await expect(
      store.append("prod", (head) => sealRecord(refusal("r0"), head, new Date(Date.UTC(2026, 0, 1)))),
    ).rejects.toThrow(
      /ignores conditional writes.*does not have Object Lock enabled.*refusing to write audit records/,
    );
    expect(await store.listKeys("prod")).toEqual([]);
    expect(await store.listClusters()).toEqual([]); // the probe object is not a cluster
    client.destroy();
  });

  it("appends, lists under the prefix and verifies a chain", async () => {
    const client = createS3Client({ endpoint, forcePathStyle: true, region: "us-east-1", credentials });
    // Configured to run anyway as the only writer: it says so, loudly, once.
    const warnings: string[] = [];
    const store = new S3AuditStore(client, {
      bucket: "audit",
      prefix: "countersign/logs",
      onUnsafe: "warn",
      warn: (m) => warnings.push(m),
    });
    expect(await store.readHead("prod")).toBeNull();
    const written: AuditRecord[] = [];
    for (let i = 0; i < 3; i++) {
      written.push(
        await store.append("prod", (head) =>
          sealRecord(refusal(`r${i}`), head, new Date(Date.UTC(2026, 0, 30, 23, 59, 59 + i))),
        ),
      );
    }
    await store.append("staging", (head) =>
      sealRecord({ ...refusal("s0"), cluster: "staging" }, head, new Date(0)),
    );
    expect(await store.listClusters()).toEqual(["prod", "staging"]);
    const keys = await store.listKeys("prod");
    expect(keys).toEqual(written.map(recordKey));
    expect(keys[2]).toMatch(/^prod\/2026\/01\/31\/20260131T000001\.000Z-refusal-0123456-[0-9a-f]{8}\.json$/);
    const chain = await readChain(store, "prod");
    expect(chain.records).toEqual(written);
    expect(verifyChain(chain.records, { headHash: chain.headHash })).toEqual({ ok: true, records: 3 });
    expect(warnings).toEqual([
      expect.stringMatching(/^UNSAFE AUDIT STORE: .*ignores conditional writes.*only writer/),
    ]);
    client.destroy();
  });

  it("is what `countersign audit verify --store s3://...` reads, configured from the environment", async () => {
    // The CLI's default wiring: store URL from the flag, endpoint and credentials from the environment.
    const saved = { ...process.env };
    Object.assign(process.env, {
      COUNTERSIGN_AUDIT_S3_ENDPOINT: endpoint,
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
    });
    try {
      const { out, code } = await runAudit(["verify", "--store", "s3://audit/countersign/logs"], "unused");
      expect(code).toBe(0);
      expect(out).toMatch(
        /^prod: OK, 3 records up to seq 2 \(head [0-9a-f]{64}\): hashes and chain intact, every intent has one result, every applied change covered\nstaging: OK, 1 record up to seq 0 \(head [0-9a-f]{64}\): hashes and chain intact, every intent has one result, every applied change covered\n$/,
      );
    } finally {
      process.env = saved;
    }
  });
});

describe("S3AuditStore conditional writes (nock)", () => {
  const host = "http://s3.test";
  const client = createS3Client({
    endpoint: host,
    forcePathStyle: true,
    region: "eu-west-1",
    credentials,
    maxAttempts: 1,
  });
  const options = {
    bucket: "audit",
    prefix: "p",
    objectLock: { mode: "COMPLIANCE" as const, days: 10 },
    kms: { keyId: "alias/audit" },
    backoff: async () => undefined,
    now: () => new Date("2026-03-01T00:00:00Z"),
    skipProbe: true,
  };
  const first = sealRecord(refusal("r0"), null, new Date("2026-03-01T00:00:00Z"));
  const second = sealRecord(refusal("r1"), first, new Date("2026-03-01T00:01:00Z"));
  const noSuchKey = '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>missing</Message></Error>';
  const failed =
    '<?xml version="1.0"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>';

  const listing = (keys: string[]): string =>
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>audit</Name><Prefix>p/prod/</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>100</MaxKeys><IsTruncated>false</IsTruncated>${keys.map((k) => `<Contents><Key>${k}</Key><Size>10</Size></Contents>`).join("")}</ListBucketResult>`;

  /** S3 before the first record of prod: no HEAD.json, and an empty listing (no chain to restart). */
  const noChainYet = (): nock.Scope =>
    nock(host)
      .get("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(404, noSuchKey)
      .get("/audit/")
      .query((q) => q["list-type"] === "2" && q.prefix === "p/prod/")
      .reply(200, listing([]));

  /** The look for records stored past the head (a rewound head): none. */
  const nothingPastHead = (scope: nock.Scope, times = 1): nock.Scope =>
    scope
      .get("/audit/")
      .query((q) => q["list-type"] === "2" && q["start-after"] !== undefined)
      .times(times)
      .reply(200, listing([]));

  /** HEAD.json names `first` (read twice: before and after the look past it) and `first` is stored. */
  const headIsFirst = (scope: nock.Scope): nock.Scope =>
    scope
      .get("/audit/p/prod/HEAD.json")
      .query(true)
      .times(2)
      .reply(200, JSON.stringify(first), { ETag: '"e1"' })
      .head(`/audit/p/${recordKey(first)}`)
      .query(true)
      .reply(200);

  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it("creates the head with If-None-Match: * and stores the record with Object Lock and SSE-KMS", async () => {
    const scope = noChainYet()
      .put("/audit/p/prod/HEAD.json")
      .query(true)
      .matchHeader("if-none-match", "*")
      .matchHeader("x-amz-server-side-encryption", "aws:kms")
      .matchHeader("x-amz-server-side-encryption-aws-kms-key-id", "alias/audit")
      .reply(200, "", { ETag: '"e1"' })
      .put(`/audit/p/${recordKey(first)}`)
      .query(true)
      .matchHeader("x-amz-object-lock-mode", "COMPLIANCE")
      .matchHeader("x-amz-object-lock-retain-until-date", "2026-03-11T00:00:00Z")
      .matchHeader("x-amz-server-side-encryption", "aws:kms")
      .matchHeader("content-md5", /^[A-Za-z0-9+/]{22}==$/)
      .reply(200, "", { ETag: '"r0"' });
    const store = new S3AuditStore(client, options);
    expect(
      await store.append("prod", (head) => sealRecord(refusal("r0"), head, new Date("2026-03-01T00:00:00Z"))),
    ).toEqual(first);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("re-reads the head and re-seals after losing the race (412), with If-Match", async () => {
    const headers: Array<string | string[] | undefined> = [];
    const scope = nock(host)
      .get("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(200, JSON.stringify(first), { ETag: '"e1"' })
      .head(`/audit/p/${recordKey(first)}`)
      .query(true)
      .reply(200)
      .get("/audit/")
      .query((q) => q["start-after"] === `p/${recordKey(first)}`)
      .reply(200, listing([]))
      .put("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(function () {
        headers.push(this.req.headers["if-match"]);
        return [412, failed];
      })
      .get("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(200, JSON.stringify(second), { ETag: '"e2"' })
      .head(`/audit/p/${recordKey(second)}`)
      .query(true)
      .reply(404)
      .put(`/audit/p/${recordKey(second)}`)
      .query(true)
      .reply(200, "", { ETag: '"r1"' }) // the winner's record, stored for it
      .get("/audit/")
      .query((q) => q["start-after"] === `p/${recordKey(second)}`)
      .reply(200, listing([]))
      .put("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(function () {
        headers.push(this.req.headers["if-match"]);
        return [200, "", { ETag: '"e3"' }];
      })
      .put(/\/audit\/p\/prod\/2026\/03\/01\/.*-refusal-0123456-.*\.json/)
      .reply(200, "", { ETag: '"r2"' });
    const store = new S3AuditStore(client, options);
    const record = await store.append("prod", (head) =>
      sealRecord(refusal("mine"), head, new Date("2026-03-01T00:00:30Z")),
    );
    expect(headers).toEqual(['"e1"', '"e2"']);
    expect(record.prev).toBe(second.hash);
    expect(record.seq).toBe(2);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("does not write a record twice when a retried head PUT finds its own first try landed (lost reply)", async () => {
    // The SDK retries the head PUT after a 500 whose write landed; the retry gets 412 (the ETag moved to ours).
    const retrying = createS3Client({
      endpoint: host,
      forcePathStyle: true,
      region: "eu-west-1",
      credentials,
      maxAttempts: 2,
    });
    let written = "";
    const scope = noChainYet()
      .put("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(function (_uri, body) {
        written = typeof body === "string" ? body : JSON.stringify(body);
        return [500, '<?xml version="1.0"?><Error><Code>InternalError</Code><Message>x</Message></Error>'];
      })
      .put("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(412, failed)
      .get("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(200, () => written, { ETag: '"e1"' })
      .head(`/audit/p/${recordKey(first)}`)
      .query(true)
      .reply(404)
      .put(`/audit/p/${recordKey(first)}`)
      .query(true)
      .reply(200, "", { ETag: '"r0"' });
    const store = new S3AuditStore(retrying, options);
    const record = await store.append("prod", (head) =>
      sealRecord(refusal("r0"), head, new Date("2026-03-01T00:00:00Z")),
    );
    expect(record).toEqual(first);
    expect(scope.pendingMocks()).toEqual([]);
    retrying.destroy();
  });

  it("does not write a record twice when its lost-reply head write was already built on by another writer", async () => {
    // Our first try landed and another writer appended `after` on it before our retry got its 412.
    const retrying = createS3Client({
      endpoint: host,
      forcePathStyle: true,
      region: "eu-west-1",
      credentials,
      maxAttempts: 2,
    });
    const after = sealRecord(refusal("theirs"), first, new Date("2026-03-01T00:05:00Z"));
    const scope = noChainYet()
      .put("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(500, '<?xml version="1.0"?><Error><Code>InternalError</Code><Message>x</Message></Error>')
      .put("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(412, failed)
      .get("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(200, JSON.stringify(after), { ETag: '"e2"' })
      .head(`/audit/p/${recordKey(after)}`)
      .query(true)
      .reply(200)
      .head(`/audit/p/${recordKey(first)}`)
      .query(true)
      .reply(200); // the other writer stored ours under its key before building on it
    const store = new S3AuditStore(retrying, options);
    const record = await store.append("prod", (head) =>
      sealRecord(refusal("r0"), head, new Date("2026-03-01T00:00:00Z")),
    );
    expect(record).toEqual(first);
    expect(scope.pendingMocks()).toEqual([]);
    retrying.destroy();
  });

  it("refuses to start a second chain when records exist but HEAD.json is gone", async () => {
    // A deleted head must not make the writer begin a new chain at seq 0 (a fork); no PUT is made.
    const scope = nock(host)
      .get("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(404, noSuchKey)
      .get("/audit/")
      .query((q) => q["list-type"] === "2" && q.prefix === "p/prod/")
      .reply(200, listing([`p/${recordKey(first)}`]))
      .get("/audit/p/prod/HEAD.json") // looked at again: a writer that just created it would be a race
      .query(true)
      .reply(404, noSuchKey);
    const store = new S3AuditStore(client, options);
    await expect(
      store.append("prod", (head) => sealRecord(refusal("x"), head, new Date("2026-03-02T00:00:00Z"))),
    ).rejects.toBeInstanceOf(AuditHeadMissingError);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("lists only prefixes that are cluster names", async () => {
    // A stray prefix in the bucket is not a chain: listing it would make ls/show fail on listKeys.
    const scope = nock(host)
      .get("/audit/")
      .query((q) => q["list-type"] === "2" && q.delimiter === "/" && q.prefix === "p/")
      .reply(
        200,
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>audit</Name><Prefix>p/</Prefix><IsTruncated>false</IsTruncated>${["p/prod/", "p/bad name/", "p/../", "p/staging/"].map((x) => `<CommonPrefixes><Prefix>${x}</Prefix></CommonPrefixes>`).join("")}</ListBucketResult>`,
      );
    expect(await new S3AuditStore(client, options).listClusters()).toEqual(["prod", "staging"]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("gives up after a bounded number of lost races", async () => {
    const scope = headIsFirst(nock(host))
      .put("/audit/p/prod/HEAD.json")
      .query(true)
      .times(2)
      .reply(412, failed);
    nothingPastHead(scope, 2);
    const store = new S3AuditStore(client, { ...options, maxAttempts: 2 });
    await expect(
      store.append("prod", (head) => sealRecord(refusal("x"), head, new Date())),
    ).rejects.toBeInstanceOf(AuditHeadConflictError);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("fails with the operation named when the head write is refused", async () => {
    const scope = noChainYet()
      .put("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(403, '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>denied</Message></Error>');
    const store = new S3AuditStore(client, options);
    await expect(store.append("prod", (head) => sealRecord(refusal("x"), head, new Date()))).rejects.toThrow(
      /advancing the audit chain head of prod in s3:\/\/audit\/p/,
    );
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("refuses to append when records are stored past the head (a rewound HEAD.json) instead of forking", async () => {
    // HEAD.json restored to `first` while `second` is stored: the ETag does not move on a second look.
    const scope = headIsFirst(nock(host))
      .get("/audit/")
      .query((q) => q["start-after"] === `p/${recordKey(first)}`)
      .reply(200, listing([`p/${recordKey(second)}`, "p/prod/HEAD.json"]));
    const store = new S3AuditStore(client, options);
    const error = await store
      .append("prod", (head) => sealRecord(refusal("x"), head, new Date("2026-03-02T00:00:00Z")))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuditHeadRewoundError);
    expect((error as Error).message).toMatch(
      /records past the head \(seq 0\), e\.g\. prod\/2026\/03\/01\/.*the head was rewound/,
    );
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("treats the first-record race as a lost race, not a missing head", async () => {
    // No head, then the listing shows the other writer's first record, whose head is there on a second look.
    const race = nock(host)
      .get("/audit/p/prod/HEAD.json")
      .query(true)
      .reply(404, noSuchKey)
      .get("/audit/")
      .query((q) => q["list-type"] === "2" && q["max-keys"] === "100" && q["start-after"] === undefined)
      .reply(200, listing([`p/${recordKey(first)}`]))
      .get("/audit/p/prod/HEAD.json")
      .query(true)
      .times(2)
      .reply(200, JSON.stringify(first), { ETag: '"e1"' })
      .head(`/audit/p/${recordKey(first)}`)
      .query(true)
      .reply(200)
      .get("/audit/")
      .query((q) => q["start-after"] === `p/${recordKey(first)}`)
      .reply(200, listing([]))
      .put("/audit/p/prod/HEAD.json")
      .query(true)
      .matchHeader("if-match", '"e1"')
      .reply(200, "", { ETag: '"e2"' })
      .put(/\/audit\/p\/prod\/2026\/03\/01\/.*-refusal-.*\.json/)
      .reply(200, "", { ETag: '"r1"' });
    const store = new S3AuditStore(client, options);
    const record = await store.append("prod", (head) =>
      sealRecord(refusal("r1"), head, new Date("2026-03-01T00:01:00Z")),
    );
    expect(record.seq).toBe(1);
    expect(record.prev).toBe(first.hash);
    expect(race.pendingMocks()).toEqual([]);
  });

  it("passes the probe on an endpoint that honours conditional writes and has Object Lock on", async () => {
    const { skipProbe: _skip, ...probing } = options;
    const scope = nock(host)
      .put("/audit/p/.countersign-probe/conditional-write")
      .query(true)
      .reply(200, "", { ETag: '"p1"' })
      .put("/audit/p/.countersign-probe/conditional-write")
      .query(true)
      .matchHeader("if-none-match", "*")
      .reply(412, failed)
      .put("/audit/p/.countersign-probe/conditional-write")
      .query(true)
      .matchHeader("if-match", '"countersign-no-such-etag"')
      .reply(412, failed)
      .get("/audit/")
      .query((q) => q["object-lock"] !== undefined)
      .reply(
        200,
        '<?xml version="1.0" encoding="UTF-8"?><ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>',
      );
    expect(await new S3AuditStore(client, probing).probe()).toEqual({
      conditionalWrites: true,
      objectLock: "enabled",
      problems: [],
    });
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("refuses when the bucket has no Object Lock configuration although retention is configured", async () => {
    const { skipProbe: _skip, ...probing } = options;
    const scope = nock(host)
      .put("/audit/p/.countersign-probe/conditional-write")
      .query(true)
      .reply(200, "", { ETag: '"p1"' })
      .put("/audit/p/.countersign-probe/conditional-write")
      .query(true)
      .times(2)
      .reply(412, failed)
      .get("/audit/")
      .query((q) => q["object-lock"] !== undefined)
      .reply(
        404,
        '<?xml version="1.0"?><Error><Code>ObjectLockConfigurationNotFoundError</Code><Message>Object Lock configuration does not exist for this bucket</Message></Error>',
      );
    const store = new S3AuditStore(client, probing);
    await expect(store.append("prod", (head) => sealRecord(refusal("x"), head, new Date()))).rejects.toThrow(
      /bucket audit does not have Object Lock enabled: the configured COMPLIANCE retention of 10 days would not be applied/,
    );
    expect(scope.pendingMocks()).toEqual([]);
  });
});
