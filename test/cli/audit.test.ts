import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/exit-codes.js";
import { runAudit, seedStore } from "./audit-fixture.js";

let dir: string;
let store: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cs-cli-"));
  store = join(dir, "store");
  await seedStore(store);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("countersign audit", () => {
  it("lists records as a table", async () => {
    const { out, code } = await runAudit(["ls"], store);
    expect(code).toBe(0);
    expect(out).toMatchSnapshot();
  });

  it.each([
    // --pr selects the records naming PR 8 (its intent and result).
    [
      ["ls", "--pr", "8", "--output", "json"],
      ["rec-3", "rec-3.result"],
    ],
    // --commit matches a SHA prefix.
    [["ls", "--commit", "2222", "--output", "json"], ["rec-2"]],
    // --since with an ISO time keeps only later records.
    [
      ["ls", "--since", "2026-01-30T09:06:00Z", "--output", "json"],
      ["rec-3", "rec-3.result"],
    ],
    // --until with a relative age (now is 2026-02-01T12:00Z; 3d ago is before everything).
    [["ls", "--until", "3d", "--output", "json"], []],
  ])("filters: %j", async (args, ids) => {
    const { out } = await runAudit(args, store);
    expect((JSON.parse(out) as Array<{ id: string }>).map((r) => r.id)).toEqual(ids);
  });

  it("writes CSV with a header and quoted cells", async () => {
    const { out } = await runAudit(["ls", "--output", "csv", "--pr", "7"], store);
    const lines = out.trimEnd().split("\r\n");
    expect(lines[0]).toBe("time,cluster,seq,kind,status,commit,pullRequests,risk,objects,id,hash");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(",intent,,1111111aaaaaaa,#7,critical,1,rec-1,");
  });

  it("shows one record by id with its masked object and approval evidence", async () => {
    const { out } = await runAudit(["show", "rec-1"], store);
    expect(out).not.toContain("aHVudGVyMg==");
    expect(out).toMatchSnapshot();
  });

  it("shows one record by hash prefix", async () => {
    const { out: json } = await runAudit(["show", "rec-2", "--json"], store);
    const hash = (JSON.parse(json) as { hash: string }).hash;
    const { out } = await runAudit(["show", hash.slice(0, 10)], store);
    expect(out).toMatch(/^REFUSAL record rec-2/);
  });

  it("fails clearly for an unknown record", async () => {
    await expect(runAudit(["show", "nope"], store)).rejects.toThrow(/no record with id or hash "nope"/);
  });

  it("verifies a good log with exit 0", async () => {
    const { out, code } = await runAudit(["verify"], store);
    expect(code).toBe(EXIT.ok);
    // The head is named, so an auditor can keep it and notice a later truncation.
    const rows = JSON.parse((await runAudit(["ls", "--output", "json"], store)).out) as Array<{
      hash: string;
    }>;
    expect(out).toBe(
      `prod: OK, 5 records up to seq 4 (head ${rows[4]!.hash.slice(0, 12)}): hashes and chain intact, every intent has one result, every applied change covered\n`,
    );
  });

  it("does not call a cluster with no records verified (a mistyped --cluster)", async () => {
    const { out, code } = await runAudit(["verify", "--cluster", "prdo"], store);
    expect(code).toBe(EXIT.invalidInput);
    expect(out).toMatch(/^prdo: no audit records for this cluster in /);
  });

  it("exits 3 naming the first bad record when a record was edited", async () => {
    const copy = join(dir, "tampered");
    await seedStore(copy);
    const dayDir = join(copy, "prod", "2026", "01", "30");
    const file = (await readdir(dayDir)).find((f) => f.includes("-refusal-"))!;
    const text = await readFile(join(dayDir, file), "utf8");
    await writeFile(join(dayDir, file), text.replace("direct push", "approved push"));
    const { out, code } = await runAudit(["verify", "--cluster", "prod"], copy);
    expect(code).toBe(EXIT.failOn);
    expect(out).toMatch(
      /^prod: FAILED at record rec-2 \(seq 2, hash [0-9a-f]{12}\): edited: content does not match its hash/,
    );
  });

  it("rejects a bad time and an unknown store scheme", async () => {
    await expect(runAudit(["ls", "--since", "yesterday"], store)).rejects.toThrow(/invalid time "yesterday"/);
    await expect(runAudit(["ls", "--store", "ftp://x/y"], store)).rejects.toThrow(/unsupported scheme ftp/);
  });

  it.each([
    // Exponent notation is not a PR number (Number() would read 1000).
    "1e3",
    // Nor is hex (Number() would read 16).
    "0x10",
    // Nor zero.
    "0",
  ])("rejects --pr %s", async (pr) => {
    await expect(runAudit(["ls", "--pr", pr], store)).rejects.toThrow(/not a pull request number/);
  });

  it("reports an unreadable chain in the HTML page instead of failing to write it", async () => {
    // One corrupt record must not leave the auditor without a report: the page says FAILED, unreadable.
    const copy = join(dir, "corrupt");
    await seedStore(copy);
    const dayDir = join(copy, "prod", "2026", "01", "30");
    const file = (await readdir(dayDir)).find((f) => f.includes("-refusal-"))!;
    await writeFile(join(dayDir, file), "{not json");
    const html = join(dir, "corrupt.html");
    const { out } = await runAudit(["report", "--since", "7d", "--html", html], copy);
    expect(out).toMatch(/^wrote .*corrupt\.html: 0 records/);
    expect(await readFile(html, "utf8")).toMatch(/prod: FAILED at record \(unreadable\).*unreadable/);
  });
});
