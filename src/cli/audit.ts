/**
 * `countersign audit ls | show | verify | report`: the auditor's view of the audit log.
 * The store is `--store URL`, else $COUNTERSIGN_AUDIT_STORE, else file://./.countersign/audit.
 */
import { writeFile } from "node:fs/promises";
import { Option } from "commander";
import type { Command } from "commander";
import { renderHtmlReport } from "../core/audit/report-html.js";
import type { AuditRecord } from "../core/audit/record.js";
import {
  clean,
  listRow,
  renderCsv,
  renderRecord,
  renderTable,
  terminalJson,
} from "../core/audit/render-text.js";
import { recordKey } from "../core/audit/seal.js";
import { parseTimeArg } from "../core/audit/time-arg.js";
import { describeError } from "../core/error-text.js";
import { verifyChain } from "../core/audit/verify.js";
import type { ChainVerdict } from "../core/audit/verify.js";
import type { AuditStore } from "../core/ports/audit-store.js";
import { readChain } from "../audit/read-chain.js";
import type { StoredChain } from "../audit/read-chain.js";
import { openAuditStore, resolveStoreUrl, storeOptionsFromEnv } from "../audit/store-url.js";
import { EXIT } from "./exit-codes.js";

/** What the command needs from the outside world; tests replace it. */
export interface AuditCliDeps {
  openStore: (url: string) => AuditStore;
  now: () => Date;
  write: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultDeps: AuditCliDeps = {
  openStore: (url) => openAuditStore(url, storeOptionsFromEnv(process.env)),
  now: () => new Date(),
  write: (text) => void process.stdout.write(text),
  env: process.env,
};

interface StoreOpts {
  store?: string;
  cluster?: string;
}

/** Registers `countersign audit`. */
export function registerAudit(program: Command, overrides: Partial<AuditCliDeps> = {}): void {
  const deps = { ...defaultDeps, ...overrides };
  const audit = program
    .command("audit")
    .description(
      "Browse and verify the audit log (store: --store, $COUNTERSIGN_AUDIT_STORE, or file://./.countersign/audit)",
    );
  const storeOption = (): Option =>
    new Option("--store <url>", "audit store: s3://bucket/prefix, file:///path or a directory");
  const open = (opts: StoreOpts): AuditStore => deps.openStore(resolveStoreUrl(opts.store, deps.env));

  audit
    .command("ls")
    .description("List audit records, oldest first")
    .addOption(storeOption())
    .option("--cluster <name>", "only this cluster")
    .option("--pr <number>", "only records naming this pull request")
    .option("--commit <sha>", "only records of this commit (prefix of at least 4 hex digits)")
    .option("--since <time>", "from this time (ISO 8601 or relative: 24h, 7d)")
    .option("--until <time>", "up to this time (ISO 8601 or relative)")
    .addOption(
      new Option("--output <format>", "output format").choices(["table", "json", "csv"]).default("table"),
    )
    .action(
      async (
        opts: StoreOpts & { pr?: string; commit?: string; since?: string; until?: string; output: string },
      ) => {
        const store = open(opts);
        const now = deps.now();
        const since = opts.since ? parseTimeArg(opts.since, now) : undefined;
        const until = opts.until ? parseTimeArg(opts.until, now) : undefined;
        let pr: number | undefined;
        if (opts.pr !== undefined) {
          // Digits only: Number() would also take "1e3", "0x10" or " 7".
          pr = /^#?\d{1,15}$/.test(opts.pr) ? Number(opts.pr.replace(/^#/, "")) : NaN;
          if (!Number.isSafeInteger(pr) || pr <= 0)
            throw new Error(`--pr ${JSON.stringify(opts.pr)}: not a pull request number`);
        }
        const commit = opts.commit?.toLowerCase();
        if (commit !== undefined && !/^[0-9a-f]{4,64}$/.test(commit))
          throw new Error(`--commit ${JSON.stringify(opts.commit)}: not a commit SHA (4 to 64 hex digits)`);
        const records = (await allRecords(store, opts.cluster)).filter((r) => {
          const t = Date.parse(r.time);
          return (
            (since === undefined || t >= since.getTime()) &&
            (until === undefined || t <= until.getTime()) &&
            (pr === undefined ||
              r.pullRequests.includes(pr) ||
              r.approvals.some((a) => a.pullRequest === pr)) &&
            (commit === undefined || r.commit.toLowerCase().startsWith(commit))
          );
        });
        if (opts.output === "json") deps.write(`${terminalJson(records.map(listRow))}\n`);
        else if (opts.output === "csv") deps.write(renderCsv(records));
        else deps.write(renderTable(records));
      },
    );

  audit
    .command("show")
    .description(
      "Show one record (by id, or by hash or a hash prefix of at least 8 hex digits) with its masked objects and approval evidence",
    )
    .argument("<record>", "record id or hash")
    .addOption(storeOption())
    .option("--cluster <name>", "only look in this cluster")
    .option("--json", "print the stored JSON")
    .action(async (ref: string, opts: StoreOpts & { json?: boolean }) => {
      const store = open(opts);
      const needle = ref.trim().toLowerCase();
      const matches = (await allRecords(store, opts.cluster)).filter(
        (r) =>
          r.id === ref.trim() ||
          r.hash === needle ||
          (/^[0-9a-f]{8,63}$/.test(needle) && r.hash.startsWith(needle)),
      );
      if (matches.length === 0)
        throw new Error(
          `audit show: no record with id or hash ${JSON.stringify(clean(ref.slice(0, 80)))} in ${store.location}`,
        );
      if (matches.length > 1) {
        throw new Error(
          `audit show: ${JSON.stringify(clean(ref.slice(0, 80)))} matches ${matches.length} records (${matches.map((m) => clean(m.id)).join(", ")}); give more of the hash`,
        );
      }
      const record = matches[0]!;
      deps.write(opts.json ? `${terminalJson(record)}\n` : renderRecord(record, recordKey(record)));
    });

  audit
    .command("verify")
    .description(
      `Verify every hash, the chain (no gap, fork or reordering), that every intent has one result and every applied change is covered; exit ${EXIT.failOn} naming the first bad record`,
    )
    .addOption(storeOption())
    .option("--cluster <name>", "only this cluster")
    .action(async (opts: StoreOpts) => {
      const store = open(opts);
      const verdicts = await verifyAll(store, opts.cluster);
      if (verdicts.size === 0) deps.write(`no audit records in ${store.location}\n`);
      for (const [cluster, { verdict: v, head }] of verdicts) {
        if (v.ok && v.records === 0) {
          // A mistyped --cluster must not read as a verified log.
          deps.write(`${clean(cluster)}: no audit records for this cluster in ${store.location}\n`);
          process.exitCode = EXIT.invalidInput;
          continue;
        }
        // The head is printed so an auditor can keep it: a later log without it was truncated.
        const at = head ? ` up to seq ${head.seq} (head ${head.hash.slice(0, 12)})` : "";
        deps.write(
          v.ok
            ? `${cluster}: OK, ${v.records} record${v.records === 1 ? "" : "s"}${at}: hashes and chain intact, every intent has one result, every applied change covered\n`
            : `${cluster}: FAILED at record ${clean(v.problem.id)} (seq ${v.problem.seq}, hash ${v.problem.hash.slice(0, 12)}): ${v.problem.kind}: ${clean(v.problem.message)}\n`,
        );
      }
      if ([...verdicts.values()].some(({ verdict }) => !verdict.ok)) process.exitCode = EXIT.failOn;
    });

  audit
    .command("report")
    .description("Write a self-contained HTML report (timeline of applies and refusals) for auditors")
    .requiredOption("--since <time>", "from this time (ISO 8601 or relative: 24h, 7d)")
    .option("--until <time>", "up to this time (default: now)")
    .requiredOption("--html <file>", "where to write the HTML page")
    .addOption(storeOption())
    .option("--cluster <name>", "only this cluster")
    .option("--github-url <url>", "GitHub web URL for PR links", "https://github.com")
    .action(async (opts: StoreOpts & { since: string; until?: string; html: string; githubUrl: string }) => {
      const store = open(opts);
      const now = deps.now();
      const since = parseTimeArg(opts.since, now);
      const until = opts.until ? parseTimeArg(opts.until, now) : now;
      const verdicts = new Map<string, ChainVerdict>();
      const records: AuditRecord[] = [];
      // An unreadable chain is reported in the page (FAILED, unreadable) instead of failing the page.
      for (const [cluster, { verdict, chain }] of await verifyAll(store, opts.cluster)) {
        verdicts.set(cluster, verdict);
        if (!chain) continue;
        records.push(
          ...chain.records.filter(
            (r) => Date.parse(r.time) >= since.getTime() && Date.parse(r.time) <= until.getTime(),
          ),
        );
      }
      records.sort((a, b) => a.time.localeCompare(b.time) || a.cluster.localeCompare(b.cluster));
      const html = renderHtmlReport({
        records,
        since,
        until,
        generatedAt: now,
        location: store.location,
        verdicts,
        githubUrl: opts.githubUrl,
      });
      try {
        await writeFile(opts.html, html, "utf8");
      } catch (error) {
        throw new Error(`writing the audit report to ${opts.html}`, { cause: error });
      }
      deps.write(
        `wrote ${opts.html}: ${records.length} records from ${since.toISOString()} to ${until.toISOString()}\n`,
      );
    });
}

async function allRecords(store: AuditStore, cluster: string | undefined): Promise<AuditRecord[]> {
  const clusters = cluster ? [cluster] : await store.listClusters();
  const records: AuditRecord[] = [];
  for (const c of clusters) records.push(...(await readChain(store, c)).records);
  return records.sort(
    (a, b) => a.time.localeCompare(b.time) || a.cluster.localeCompare(b.cluster) || a.seq - b.seq,
  );
}

interface VerifiedChain {
  verdict: ChainVerdict;
  /** The last record read (what the head should be). */
  head?: { seq: number; hash: string };
  /** Absent when the chain could not be read. */
  chain?: StoredChain;
}

/** Verifies each cluster; a record that cannot be read or parsed is a failed verification too. */
async function verifyAll(
  store: AuditStore,
  cluster: string | undefined,
): Promise<Map<string, VerifiedChain>> {
  const verdicts = new Map<string, VerifiedChain>();
  for (const c of cluster ? [cluster] : await store.listClusters()) {
    try {
      const chain = await readChain(store, c);
      const last = chain.records[chain.records.length - 1];
      verdicts.set(c, {
        verdict: verifyChain(chain.records, { cluster: c, headHash: chain.headHash }),
        head: last ? { seq: last.seq, hash: last.hash } : undefined,
        chain,
      });
    } catch (error) {
      const message = describeError(error);
      verdicts.set(c, {
        verdict: {
          ok: false,
          records: 0,
          problem: { kind: "unreadable", index: -1, id: "(unreadable)", seq: -1, hash: "", message },
        },
      });
    }
  }
  return verdicts;
}
