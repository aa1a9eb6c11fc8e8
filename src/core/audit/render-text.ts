/** Human- and machine-readable renderings of audit records for `audit ls` and `audit show`. */
import { stringify } from "yaml";
import { RISK_LEVELS } from "../model.js";
import type { RiskLevel } from "../model.js";
import type { AuditRecord } from "./record.js";
import { escapeControls } from "../terminal-text.js";

/** Control and bidi characters from a (possibly hostile) record, shown escaped. */
export const clean = escapeControls;

/**
 * A JSON.parse error for a message, without its quote of the (hostile) input. V8 says
 * `Unexpected token 'x', "…" is not valid JSON`: the quote goes, and "token" becomes "character"
 * so credential redaction (which cuts `token <word>`) leaves the message readable.
 */
export function jsonErrorText(error: unknown): string {
  let text = error instanceof Error ? error.message : String(error);
  text = text
    .replace(/^Unexpected token (.{1,8}?), ".*" is not valid JSON$/s, "Unexpected character $1")
    .replace(/^Unexpected token\b/, "Unexpected character");
  return oneLine(text.length > 160 ? `${text.slice(0, 159)}…` : text);
}

/**
 * JSON for a terminal: JSON.stringify leaves C1 controls and bidi overrides raw inside strings;
 * written as \u escapes they are the same JSON value but cannot drive the terminal.
 */
export function terminalJson(value: unknown): string {
  return escapeControls(JSON.stringify(value, null, 2));
}

/**
 * A field printed on one line: newlines, carriage returns and tabs shown as `\n`, `\r`, `\t`
 * (a record id with a newline must not start a line of its own, e.g. a fake `OK`).
 */
export function oneLine(text: string): string {
  return clean(text.replace(/[\r\n\t]/g, (c) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t")));
}

/** Highest risk level named by the record's objects or approval evidence. */
export function recordRisk(record: AuditRecord): RiskLevel | undefined {
  const levels = [
    ...record.objects.map((o) => o.level),
    ...record.approvals.flatMap((a) => [a.level, ...a.changes.map((c) => c.level)]),
  ].filter((l): l is RiskLevel => l !== undefined);
  let best = -1;
  for (const level of levels) best = Math.max(best, RISK_LEVELS.indexOf(level));
  return best < 0 ? undefined : RISK_LEVELS[best];
}

export interface ListRow {
  time: string;
  cluster: string;
  seq: number;
  kind: string;
  status: string;
  commit: string;
  pullRequests: string;
  risk: string;
  objects: number;
  id: string;
  hash: string;
}

export function listRow(r: AuditRecord): ListRow {
  return {
    time: r.time,
    cluster: r.cluster,
    seq: r.seq,
    kind: r.kind,
    status: r.status ?? "",
    commit: r.commit.slice(0, 12),
    pullRequests: r.pullRequests.map((n) => `#${n}`).join(" "),
    risk: recordRisk(r) ?? "",
    objects: r.objects.length,
    id: r.id,
    hash: r.hash,
  };
}

const COLUMNS: Array<[keyof ListRow, string]> = [
  ["time", "TIME"],
  ["cluster", "CLUSTER"],
  ["seq", "SEQ"],
  ["kind", "KIND"],
  ["status", "STATUS"],
  ["commit", "COMMIT"],
  ["pullRequests", "PR"],
  ["risk", "RISK"],
  ["objects", "OBJECTS"],
  ["id", "ID"],
];

export function renderTable(records: readonly AuditRecord[]): string {
  return renderRows(records.map(listRow));
}

/** The `audit ls` table of rows already made (the CLI keeps rows, not records). */
export function renderRows(listRows: readonly ListRow[]): string {
  if (listRows.length === 0) return "no audit records match\n";
  const rows = listRows.map((row) => COLUMNS.map(([field]) => oneLine(String(row[field]))));
  const header = COLUMNS.map(([, title]) => title);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

const CSV_FIELDS = [
  "time",
  "cluster",
  "seq",
  "kind",
  "status",
  "commit",
  "pullRequests",
  "risk",
  "objects",
  "id",
  "hash",
] as const;

export function csvHeader(): string {
  return `${CSV_FIELDS.join(",")}\r\n`;
}

/** One RFC 4180 CSV line; cells that a spreadsheet would run as a formula are prefixed with `'`. */
export function csvLine(r: AuditRecord): string {
  const cell = (value: string | number): string => {
    // Escaped like the table: the CSV usually lands on a terminal first.
    let text = clean(String(value));
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const row = listRow(r);
  return `${CSV_FIELDS.map((f) => cell(f === "commit" ? r.commit : row[f])).join(",")}\r\n`;
}

/** RFC 4180 CSV of `records`, header first. */
export function renderCsv(records: readonly AuditRecord[]): string {
  return csvHeader() + records.map(csvLine).join("");
}

/** `audit show`: everything in the record, masked objects included, for a human. */
export function renderRecord(r: AuditRecord, key?: string): string {
  const out: string[] = [];
  const field = (name: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== "") out.push(`  ${`${name}:`.padEnd(15)}${oneLine(String(value))}`);
  };
  out.push(`${r.kind.toUpperCase()} record ${oneLine(r.id)}`);
  field("cluster", `${r.cluster} (seq ${r.seq})`);
  field("time", r.time);
  field("started", r.startedAt);
  field("repository", r.repository);
  field("commit", r.commit);
  field("previous", r.previousCommit);
  field("pull requests", r.pullRequests.map((n) => `#${n}`).join(", "));
  field("status", r.status);
  field("intent", r.intent);
  field("risk", recordRisk(r));
  field("actor", r.actor);
  field("message", r.message);
  field("hash", r.hash);
  field("prev", r.prev ?? "(first record)");
  field("key", key);
  out.push("", "Approval evidence");
  if (r.approvals.length === 0) out.push("  (none recorded)");
  for (const a of r.approvals) {
    out.push(
      `  PR #${a.pullRequest} at ${oneLine(a.headSha.slice(0, 12))}, check run ${a.checkRunId}, level ${a.level}${a.auto ? " (auto-approved)" : ""}`,
    );
    out.push(`    change set ${oneLine(a.changeSetDigest)}`, `    policy     ${oneLine(a.policyDigest)}`);
    for (const p of a.approvers)
      out.push(`    approved by ${oneLine(p.login)} (review ${p.reviewId}, ${oneLine(p.submittedAt)})`);
    for (const c of a.changes)
      out.push(
        `    binds ${c.op} ${oneLine(c.key)} ${c.afterDigest ? oneLine(c.afterDigest.slice(0, 12)) : "(deleted)"} [${c.level}]`,
      );
  }
  out.push("", "Objects");
  if (r.objects.length === 0) out.push("  (none)");
  for (const o of r.objects) {
    const parts = [
      `  ${o.op} ${oneLine(o.key)}`,
      o.digest ? `digest ${oneLine(o.digest.slice(0, 12))}` : "",
      o.level ? `[${o.level}]` : "",
      o.outcome ? `-> ${o.outcome}` : "",
    ];
    out.push(parts.filter(Boolean).join("  "));
    if (o.message) out.push(`    message: ${oneLine(o.message)}`);
    if (o.masked) {
      out.push(`    masked object (sha256 ${oneLine((o.maskedDigest ?? "").slice(0, 12))}):`);
      const yaml = stringify(o.masked, { lineWidth: 0 }).trimEnd();
      for (const line of yaml.split("\n")) out.push(`      ${clean(line)}`);
    }
  }
  return `${out.join("\n")}\n`;
}
