import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/exit-codes.js";
import { runAudit, seedStore } from "./audit-fixture.js";
import { AuditLog } from "../../src/audit/audit-log.js";
import { LocalAuditStore } from "../../src/audit/local-store.js";
import { fakeMasker } from "../core/audit/fixtures.js";

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
      `prod: OK, 5 records up to seq 4 (head ${rows[4]!.hash}): hashes and chain intact, every intent has one result, every applied change covered\n`,
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
    // One corrupt record must not leave the auditor without a report: the page says FAILED,
    // unreadable, naming the file, and still shows the records that could be read.
    const copy = join(dir, "corrupt");
    await seedStore(copy);
    const dayDir = join(copy, "prod", "2026", "01", "30");
    const file = (await readdir(dayDir)).find((f) => f.includes("-refusal-"))!;
    await writeFile(join(dayDir, file), "{not json");
    const html = join(dir, "corrupt.html");
    const { out } = await runAudit(["report", "--since", "7d", "--html", html], copy);
    expect(out).toMatch(/^wrote .*corrupt\.html: 4 records/);
    expect(await readFile(html, "utf8")).toMatch(
      /prod: FAILED: unreadable — reading audit record prod\/.*-refusal-/,
    );
  });

  /** A fresh copy of the seeded store, and the path of its file whose name contains `kind`. */
  async function copyWith(name: string, kind: string): Promise<{ root: string; path: string }> {
    const root = join(dir, name);
    await seedStore(root);
    const dayDir = join(root, "prod", "2026", "01", "30");
    const file = (await readdir(dayDir)).find((f) => f.includes(kind))!;
    return { root, path: join(dayDir, file) };
  }

  it("keeps a record id with a newline on one line: no fake OK line", async () => {
    // The id carries a newline and a forged verdict; the record is then edited so verify prints its id.
    const root = join(dir, "newline");
    const log = new AuditLog({
      store: new LocalAuditStore(root),
      cluster: "prod",
      actor: "a",
      masker: fakeMasker,
      spool: join(dir, "newline-spool"),
      newId: () => "x\nprod: OK, 99 records",
    });
    await log.appendRefusal({ repository: "acme/infra", commit: "0badc0de", objects: [], message: "m" });
    log.close();
    const dayDir = join(
      root,
      "prod",
      (await readdir(join(root, "prod"))).find((d) => /^\d{4}$/.test(d))!,
    );
    const [file] = execFileSync("find", [dayDir, "-name", "*.json"], { encoding: "utf8" }).trim().split("\n");
    await writeFile(file!, (await readFile(file!, "utf8")).replace('"m"', '"n"'));
    const { out, code } = await runAudit(["verify"], root);
    expect(code).toBe(EXIT.failOn);
    expect(out.trimEnd().split("\n")).toHaveLength(1);
    expect(out).toContain("FAILED at record x\\nprod: OK, 99 records (seq 0");
  });

  it("pins the log with --expect-head: a truncation with a rewound head fails", async () => {
    const { root } = await copyWith("pinned", "-refusal-");
    const rows = JSON.parse((await runAudit(["ls", "--output", "json"], root)).out) as Array<{
      hash: string;
    }>;
    const head = rows[4]!.hash;
    expect((await runAudit(["verify", "--cluster", "prod", "--expect-head", head], root)).code).toBe(EXIT.ok);
    // Remove the last two records and their chain claims, rewind the head hint: consistent on its own.
    const dayDir = join(root, "prod", "2026", "01", "30");
    for (const f of (await readdir(dayDir)).sort().slice(3)) await unlink(join(dayDir, f));
    for (const seq of ["000000000003", "000000000004"])
      await unlink(join(root, "prod", "chain", `${seq}.json`));
    await writeFile(join(root, "prod", "HEAD"), "2\n");
    expect((await runAudit(["verify", "--cluster", "prod"], root)).code).toBe(EXIT.ok);
    const { out, code } = await runAudit(["verify", "--cluster", "prod", "--expect-head", head], root);
    expect(code).toBe(EXIT.failOn);
    expect(out).toMatch(
      /^prod: FAILED at record rec-2 \(seq 2, hash [0-9a-f]{12}\): truncated: the expected head/,
    );
    await expect(
      runAudit(["verify", "--cluster", "prod", "--expect-head", head.slice(0, 12)], root),
    ).rejects.toThrow(/give the full 64-digit head hash/);
  });

  it("names an unreadable record plainly: no empty seq and hash, no redacted parser message", async () => {
    const { root, path } = await copyWith("garbled", "-refusal-");
    await writeFile(path, "xyz{}");
    const { out, code } = await runAudit(["verify"], root);
    expect(code).toBe(EXIT.failOn);
    expect(out).toMatch(
      /^prod: FAILED: unreadable: reading audit record prod\/2026\/01\/30\/.*-refusal-.*: not valid JSON \(Unexpected character 'x'\)\n$/,
    );
    expect(out).not.toMatch(/seq -1|redacted/);
  });

  it("lists and shows the readable records when one file is unreadable, with a warning", async () => {
    const { root, path } = await copyWith("one-bad", "-refusal-");
    await writeFile(path, "{not json");
    const ls = await runAudit(["ls", "--output", "json"], root);
    expect((JSON.parse(ls.out) as Array<{ id: string }>).map((r) => r.id)).toEqual([
      "rec-1",
      "rec-1.result",
      "rec-3",
      "rec-3.result",
    ]);
    expect(ls.err).toMatch(/^countersign: skipped prod\/2026\/01\/30\/.*-refusal-.*not valid JSON/);
    expect(ls.code).toBe(EXIT.invalidInput);
    const show = await runAudit(["show", "rec-3"], root);
    expect(show.out).toMatch(/^INTENT record rec-3/);
  });

  it("reads only regular files: a FIFO named *.json and a symlink to /dev/zero are named, not read", async () => {
    // Before: the FIFO blocked every command forever; /dev/zero (size 0) was read until memory ran out.
    const { root, path } = await copyWith("special", "-refusal-");
    await unlink(path);
    execFileSync("mkfifo", [path]);
    const fifo = await runAudit(["verify"], root);
    expect(fifo.out).toMatch(
      /^prod: FAILED: unreadable: reading audit record .*-refusal-.*: not a regular file/,
    );
    await unlink(path);
    await symlink("/dev/zero", path);
    const zero = await runAudit(["verify"], root);
    expect(zero.out).toMatch(
      /^prod: FAILED: unreadable: reading audit record .*-refusal-.*: not a regular file/,
    );
    expect((await runAudit(["ls", "--output", "json"], root)).err).toMatch(/skipped .*-refusal-/);
  });

  it("names a record nested 200,000 levels deep; show skips it instead of overflowing the stack", async () => {
    const { root, path } = await copyWith("deep", "-refusal-");
    const record = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    const text = JSON.stringify({ ...record, objects: [] }).replace(
      '"objects":[]',
      `"objects":[{"key":"k","op":"create","digest":"","masked":{"a":${deep}}}]`,
    );
    await writeFile(path, text);
    const { out } = await runAudit(["verify"], root);
    expect(out).toMatch(
      /^prod: FAILED: unreadable: audit record prod\/.*-refusal-.*: nested deeper than 256 levels/,
    );
    const show = await runAudit(["show", "rec-2"], root).catch((error: Error) => ({
      out: "",
      err: error.message,
    }));
    expect(show.err).toMatch(/no record with id or hash "rec-2"|skipped .*nested deeper/);
  });
});
