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
  csvHeader,
  csvLine,
  listRow,
  oneLine,
  renderRecord,
  renderRows,
  terminalJson,
} from "../core/audit/render-text.js";
import type { ListRow } from "../core/audit/render-text.js";
import { recordKey } from "../core/audit/seal.js";
import { parseTimeArg } from "../core/audit/time-arg.js";
import { describeError } from "../core/error-text.js";
import type { ChainVerdict } from "../core/audit/verify.js";
import type { AuditStore } from "../core/ports/audit-store.js";
import { mergedRecords, verifyStored } from "../audit/read-chain.js";
import type { VerifiedCluster } from "../audit/read-chain.js";
import { openAuditStore, resolveStoreUrl, storeOptionsFromEnv } from "../audit/store-url.js";
import { EXIT } from "./exit-codes.js";

/** What the command needs from the outside world; tests replace it. */
export interface AuditCliDeps {
  openStore: (url: string) => AuditStore;
  now: () => Date;
  write: (text: string) => void;
  /** Warnings (a record skipped as unreadable); default stderr. */
  warn: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultDeps: AuditCliDeps = {
  openStore: (url) => openAuditStore(url, storeOptionsFromEnv(process.env)),
  now: () => new Date(),
  write: (text) => void process.stdout.write(text),
  warn: (text) => void process.stderr.write(text),
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
        const keep = (r: AuditRecord): boolean => {
          const t = Date.parse(r.time);
          return (
            (since === undefined || t >= since.getTime()) &&
            (until === undefined || t <= until.getTime()) &&
            (pr === undefined ||
              r.pullRequests.includes(pr) ||
              r.approvals.some((a) => a.pullRequest === pr)) &&
            (commit === undefined || r.commit.toLowerCase().startsWith(commit))
          );
        };
        // Streamed: JSON and CSV rows are written as records are read, about 64 KB at a time; the
        // table keeps only its rows.
        const rows: ListRow[] = [];
        let count = 0;
        let pending = opts.output === "csv" ? csvHeader() : "";
        const emit = (text: string): void => {
          pending += text;
          if (pending.length >= 65_536) {
            deps.write(pending);
            pending = "";
          }
        };
        for await (const r of eachRecord(store, opts.cluster, deps.warn)) {
          if (!keep(r)) continue;
          if (opts.output === "json") {
            const row = terminalJson(listRow(r)).replace(/\n/g, "\n  ");
            emit(`${count === 0 ? "[\n" : ",\n"}  ${row}`);
          } else if (opts.output === "csv") emit(csvLine(r));
          else rows.push(listRow(r));
          count++;
        }
        if (opts.output === "json") emit(count === 0 ? "[]\n" : "\n]\n");
        if (pending !== "") deps.write(pending);
        if (opts.output === "table") deps.write(renderRows(rows));
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
      const matches: AuditRecord[] = [];
      for await (const r of eachRecord(store, opts.cluster, deps.warn)) {
        if (
          r.id === ref.trim() ||
          r.hash === needle ||
          (/^[0-9a-f]{8,63}$/.test(needle) && r.hash.startsWith(needle))
        )
          matches.push(r);
      }
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
    .option(
      "--expect-head <hash>",
      "a head hash printed by an earlier verify (or the report): fail unless the chain still holds that record (catches truncation with a rewritten head); needs --cluster",
    )
    .action(async (opts: StoreOpts & { expectHead?: string }) => {
      const expectHead = opts.expectHead?.trim().toLowerCase();
      if (expectHead !== undefined) {
        if (!/^[0-9a-f]{64}$/.test(expectHead))
          throw new Error(
            `--expect-head ${JSON.stringify(clean(opts.expectHead!.slice(0, 80)))}: give the full 64-digit head hash that verify printed`,
          );
        if (!opts.cluster) throw new Error("--expect-head needs --cluster (a head belongs to one cluster)");
      }
      const store = open(opts);
      const verdicts = await verifyAll(store, opts.cluster, expectHead);
      if (verdicts.size === 0) deps.write(`no audit records in ${store.location}\n`);
      for (const [cluster, verified] of verdicts) {
        const v = verified.verdict;
        if (v.ok && v.records === 0) {
          // A mistyped --cluster must not read as a verified log.
          deps.write(`${oneLine(cluster)}: no audit records for this cluster in ${store.location}\n`);
          process.exitCode = EXIT.invalidInput;
          continue;
        }
        deps.write(`${verdictLine(cluster, verified)}\n`);
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
      const heads = new Map<string, { seq: number; hash: string }>();
      const records: AuditRecord[] = [];
      // Only the window is kept; an unreadable chain is reported in the page (FAILED, unreadable).
      const inWindow = (r: AuditRecord): void => {
        const t = Date.parse(r.time);
        if (t >= since.getTime() && t <= until.getTime()) records.push(r);
      };
      for (const [cluster, { verdict, head }] of await verifyAll(store, opts.cluster, undefined, inWindow)) {
        verdicts.set(cluster, verdict);
        if (head) heads.set(cluster, head);
      }
      records.sort((a, b) => a.time.localeCompare(b.time) || a.cluster.localeCompare(b.cluster));
      const html = renderHtmlReport({
        records,
        since,
        until,
        generatedAt: now,
        location: store.location,
        verdicts,
        heads,
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

/** Records of one cluster or all, in time order; an unreadable record is skipped with a warning (exit 1). */
function eachRecord(
  store: AuditStore,
  cluster: string | undefined,
  warn: (text: string) => void,
): AsyncGenerator<AuditRecord> {
  return (async function* () {
    const clusters = cluster ? [cluster] : await store.listClusters();
    yield* mergedRecords(store, clusters, (key, error) => {
      warn(
        `countersign: skipped ${oneLine(key)}: ${describeError(error)} (run \`countersign audit verify\`)\n`,
      );
      process.exitCode = EXIT.invalidInput;
    });
  })();
}

/** One line per cluster: OK with the full head hash (an auditor keeps it for --expect-head), or the first problem. */
function verdictLine(cluster: string, { verdict: v, head }: VerifiedCluster): string {
  const name = oneLine(cluster);
  if (v.ok) {
    const at = head ? ` up to seq ${head.seq} (head ${head.hash})` : "";
    return `${name}: OK, ${v.records} record${v.records === 1 ? "" : "s"}${at}: hashes and chain intact, every intent has one result, every applied change covered`;
  }
  const p = v.problem;
  const where = p.seq < 0 ? "" : ` at record ${oneLine(p.id)} (seq ${p.seq}, hash ${p.hash.slice(0, 12)})`;
  return `${name}: FAILED${where}: ${p.kind}: ${oneLine(p.message)}`;
}

/** Verifies each cluster as it is read; a record that cannot be read or parsed is a failed verification too. */
async function verifyAll(
  store: AuditStore,
  cluster: string | undefined,
  expectHead?: string,
  onRecord?: (record: AuditRecord) => void,
): Promise<Map<string, VerifiedCluster>> {
  const verdicts = new Map<string, VerifiedCluster>();
  for (const c of cluster ? [cluster] : await store.listClusters())
    verdicts.set(c, await verifyStored(store, c, { expectHead, onRecord }));
  return verdicts;
}
