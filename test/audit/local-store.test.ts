import { mkdir, mkdtemp, readFile, readdir, rm, unlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildRecordBody } from "../../src/core/audit/build.js";
import type { AuditRecord } from "../../src/core/audit/record.js";
import { recordKey, sealRecord } from "../../src/core/audit/seal.js";
import { verifyChain } from "../../src/core/audit/verify.js";
import { describeError } from "../../src/core/error-text.js";
import { LocalAuditStore } from "../../src/audit/local-store.js";
import { readChain } from "../../src/audit/read-chain.js";
import { fakeMasker } from "../core/audit/fixtures.js";
import type { AuditHead } from "../../src/core/ports/audit-store.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cs-local-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function refusal(id: string) {
  return buildRecordBody(
    "refusal",
    { id, cluster: "prod", actor: "t", repository: "acme/infra", commit: "0123456789" },
    fakeMasker,
  );
}

describe("LocalAuditStore", () => {
  it("appends a chain, lists it in order and reads it back", async () => {
    const store = new LocalAuditStore(dir);
    expect(await store.readHead("prod")).toBeNull();
    const written: AuditRecord[] = [];
    for (let i = 0; i < 4; i++) {
      written.push(
        await store.append("prod", (head) =>
          sealRecord(refusal(`r${i}`), head, new Date(Date.UTC(2026, 0, 1 + i))),
        ),
      );
    }
    expect(await store.listClusters()).toEqual(["prod"]);
    const keys = await store.listKeys("prod");
    expect(keys).toEqual(written.map(recordKey));
    const chain = await readChain(store, "prod");
    expect(chain.records).toEqual(written);
    expect(verifyChain(chain.records, { headHash: chain.headHash })).toEqual({ ok: true, records: 4 });
  });

  it("never forks when two writers race for the head", async () => {
    // Two store instances (two processes) append concurrently: each position is claimed once.
    const writer = async (store: LocalAuditStore, name: string): Promise<void> => {
      for (let i = 0; i < 10; i++)
        await store.append("prod", (head) => sealRecord(refusal(`${name}${i}`), head, new Date()));
    };
    await Promise.all([writer(new LocalAuditStore(dir), "a"), writer(new LocalAuditStore(dir), "b")]);
    const a = new LocalAuditStore(dir);
    const chain = await readChain(a, "prod");
    expect(chain.records).toHaveLength(20);
    expect(verifyChain(chain.records, { headHash: chain.headHash }).ok).toBe(true);
  });

  it("stores a claimed record under its key on the next append when the writer crashed in between", async () => {
    const store = new LocalAuditStore(dir);
    const first = await store.append("prod", (head) => sealRecord(refusal("r0"), head, new Date(0)));
    await unlink(join(dir, recordKey(first))); // crash after the claim, before the record file
    expect((await readChain(store, "prod")).records).toEqual([first]); // readChain still sees it (from the head)
    await store.append("prod", (head) => sealRecord(refusal("r1"), head, new Date(1000)));
    expect(JSON.parse(await readFile(join(dir, recordKey(first)), "utf8"))).toEqual(first);
  });

  it("finds the head when the hint file is stale or missing", async () => {
    const store = new LocalAuditStore(dir);
    await store.append("prod", (head) => sealRecord(refusal("r0"), head, new Date(0)));
    const second = await store.append("prod", (head) => sealRecord(refusal("r1"), head, new Date(0)));
    await writeFile(join(dir, "prod", "HEAD"), "0\n");
    expect((await store.readHead("prod"))?.record).toEqual(second);
    await unlink(join(dir, "prod", "HEAD"));
    expect((await store.readHead("prod"))?.record).toEqual(second);
  });

  it.each([
    // Path traversal through the key.
    ["prod/2026/01/01/../../../../etc/passwd.json"],
    // Not a record key at all.
    ["HEAD"],
  ])("refuses to read %s", async (key) => {
    await expect(new LocalAuditStore(dir).readRecord(key)).rejects.toThrow(/not a record key/);
  });

  it("refuses to start a second chain when the records are there but the head claims are gone", async () => {
    // Deleted claims must not let the next append silently begin a new chain (a fork at seq 0).
    const store = new LocalAuditStore(dir);
    await store.append("prod", (head) => sealRecord(refusal("r0"), head, new Date(Date.UTC(2026, 0, 1))));
    await rm(join(dir, "prod", "chain"), { recursive: true });
    await rm(join(dir, "prod", "HEAD"));
    await expect(
      store.append("prod", (head) => sealRecord(refusal("r1"), head, new Date(Date.UTC(2026, 0, 2)))),
    ).rejects.toThrow(/records exist but the chain head is missing/);
    expect(await store.listKeys("prod")).toHaveLength(1);
  });

  it("refuses a record not sealed on the current head", async () => {
    const store = new LocalAuditStore(dir);
    await expect(
      store.append("prod", () => ({ ...sealRecord(refusal("x"), null, new Date()), seq: 5 })),
    ).rejects.toThrow(/not sealed on the current head/);
    expect(await readdir(dir)).toEqual(["prod"]);
  });

  it("reports a corrupt record with its key", async () => {
    const store = new LocalAuditStore(dir);
    const r = await store.append("prod", (head) => sealRecord(refusal("r0"), head, new Date(0)));
    await writeFile(join(dir, recordKey(r)), "{nope");
    await expect(store.readRecord(recordKey(r))).rejects.toThrow(/not valid JSON/);
  });

  it("keeps a hostile record's escape sequences out of the error, causes included", async () => {
    // The CLI prints errors and their causes to the terminal: the parser's quote of the file must not carry ESC/BEL.
    const store = new LocalAuditStore(dir);
    const r = await store.append("prod", (head) => sealRecord(refusal("r0"), head, new Date(0)));
    await writeFile(join(dir, recordKey(r)), '{"a": \u001b]0;owned\u0007 }');
    const error = await store.readRecord(recordKey(r)).catch((e: unknown) => e);
    expect(describeError(error)).toMatch(/not valid JSON/);
    // eslint-disable-next-line no-control-regex
    expect(describeError(error)).not.toMatch(/[\u0000-\u001f]/);
  });

  it("refuses to append when records lie past the head (a rewound head) instead of forking", async () => {
    // The latest claims are gone (an old backup of chain/ restored): the head reads as seq 0 while
    // seq 1 and 2 are stored. Before, the next append sealed a second seq 1: a fork.
    const store = new LocalAuditStore(dir);
    for (let i = 0; i < 3; i++)
      await store.append("prod", (head) =>
        sealRecord(refusal(`r${i}`), head, new Date(Date.UTC(2026, 0, 1 + i))),
      );
    await unlink(join(dir, "prod", "chain", "000000000002.json"));
    await unlink(join(dir, "prod", "chain", "000000000001.json"));
    await writeFile(join(dir, "prod", "HEAD"), "0\n");
    await expect(
      store.append("prod", (head) => sealRecord(refusal("r3"), head, new Date(Date.UTC(2026, 0, 9)))),
    ).rejects.toThrow(/holds records past the head \(seq 0\).*the head was rewound/);
    expect(await store.listKeys("prod")).toHaveLength(3);
  });

  it("tells the first-record race from a missing head: the loser retries on the winner's record", async () => {
    // Writer B reads no head, then A writes the first record before B looks for records: that is
    // a lost race (B appends after A), not "records exist but the head is missing".
    const other = new LocalAuditStore(dir);
    class Racing extends LocalAuditStore {
      private raced = false;
      override async readHead(cluster: string): Promise<AuditHead | null> {
        const head = await super.readHead(cluster);
        if (!this.raced) {
          this.raced = true;
          await other.append(cluster, (h) => sealRecord(refusal("a0"), h, new Date(Date.UTC(2026, 0, 1))));
        }
        return head;
      }
    }
    const b = new Racing(dir);
    const record = await b.append("prod", (head) =>
      sealRecord(refusal("b0"), head, new Date(Date.UTC(2026, 0, 2))),
    );
    expect(record.seq).toBe(1);
    const chain = await readChain(b, "prod");
    expect(chain.records.map((r) => r.id)).toEqual(["a0", "b0"]);
    expect(verifyChain(chain.records, { headHash: chain.headHash }).ok).toBe(true);
  });

  it("removes temporary files crashed writers left in chain/, the cluster and the day folders", async () => {
    const store = new LocalAuditStore(dir);
    const first = await store.append("prod", (head) =>
      sealRecord(refusal("r0"), head, new Date(Date.UTC(2026, 0, 1))),
    );
    const dayDir = join(dir, recordKey(first), "..");
    const stale = [join(dir, "prod", "chain", ".tmp-a"), join(dir, "prod", ".tmp-b"), join(dayDir, ".tmp-c")];
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    for (const path of stale) {
      await writeFile(path, "partial");
      await utimes(path, hourAgo, hourAgo);
    }
    // A fresh one may be another writer's write in progress: it stays.
    await mkdir(join(dir, "prod", "chain"), { recursive: true });
    await writeFile(join(dir, "prod", "chain", ".tmp-fresh"), "partial");
    await new LocalAuditStore(dir).append("prod", (head) =>
      sealRecord(refusal("r1"), head, new Date(Date.UTC(2026, 0, 2))),
    );
    const left = [
      ...(await readdir(join(dir, "prod", "chain"))),
      ...(await readdir(join(dir, "prod"))),
      ...(await readdir(dayDir)),
    ].filter((n) => n.startsWith(".tmp-"));
    expect(left).toEqual([".tmp-fresh"]);
  });
});
