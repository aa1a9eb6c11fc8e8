/**
 * The markdown report for people: the PR comment, the check-run summary and `countersign plan`'s
 * default output. Summary line, risk table with the findings, per-object masked diffs, skipped
 * documents and errors. Never longer than `maxChars`: the least risky parts go first, and it says so.
 */
import { REPORT_CHAR_BUDGET } from "../constants.js";
import type { Masker } from "../mask/types.js";
import type { ClassifiedChange, Finding, Plan, PlanSide } from "../model.js";
import { code, escapeHtml, escapeHtmlText, escapeInline, fenced, htmlCode } from "./escape.js";
import { diffLines, maskedDeltas, maskedYaml } from "./object-diff.js";
import { crdChanges } from "../policy/crd-changes.js";
import { levelRank, summaryLine } from "./summary.js";
import type { Piece } from "./truncate.js";
import { hardCut, selectPieces } from "./truncate.js";

export interface MarkdownOptions {
  masker: Masker;
  /** Hard limit on the length of the result; default REPORT_CHAR_BUDGET. */
  maxChars?: number;
  /** Heading of the report; default "countersign plan". */
  title?: string;
  links?: { fileUrl?: (file: string, line: number) => string };
}

const LOCAL_HINT = "run `countersign plan` locally for the full report";
/** Errors and skipped documents listed before "… and N more". */
const MAX_LISTED = 50;
const MAX_LIST_ITEM = 500;
const MAX_REASON = 300;
const MAX_FINDINGS_PER_ROW = 5;
/** Diffs up to this many lines are shown open; longer ones are collapsed in `<details>`. */
const OPEN_DIFF_LINES = 15;
const MAX_DIFF_LINES = 300;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function objectLabel(c: ClassifiedChange): string {
  const { kind, namespace, name } = c.change;
  return `${kind} ${namespace === "" ? "" : `${namespace}/`}${name}`;
}

function findingText(f: Finding, masker: Masker): string {
  let text = `**${escapeInline(f.level)}** ${escapeInline(cut(masker.maskText(f.reason), MAX_REASON))}`;
  if (f.path !== undefined && f.path !== "") text += ` at ${code(cut(masker.maskText(f.path), MAX_REASON))}`;
  text += ` (${code(f.rule)})`;
  if (f.error !== undefined)
    text += ` ⚠ rule error: ${escapeInline(cut(masker.maskText(f.error), MAX_REASON))}`;
  return text;
}

function tableRow(c: ClassifiedChange, masker: Masker): string {
  const level = levelRank(c.level) >= 2 ? `**${escapeInline(c.level)}**` : escapeInline(c.level);
  const findings = [...c.findings].sort((a, b) => levelRank(b.level) - levelRank(a.level));
  const shown = findings.slice(0, MAX_FINDINGS_PER_ROW).map((f) => findingText(f, masker));
  if (findings.length > MAX_FINDINGS_PER_ROW) shown.push(`+${findings.length - MAX_FINDINGS_PER_ROW} more`);
  const why = shown.length === 0 ? "—" : shown.join("<br>");
  return `| ${level} | ${c.change.op} | ${code(masker.maskText(objectLabel(c)))} | ${why} |`;
}

function diffPiece(c: ClassifiedChange, masker: Masker): string {
  const label = masker.maskText(objectLabel(c));
  // Inside <details> GitHub renders an HTML block (no markdown); an open diff's heading is markdown.
  const head = `<b>${c.change.op}</b> ${code(label)} · ${escapeHtml(c.level)}`;
  const htmlHead = `<b>${c.change.op}</b> ${htmlCode(label)} · ${escapeHtmlText(c.level)}`;
  if (c.change.op !== "update") {
    return `<details><summary>${htmlHead}</summary>\n\n${fenced(maskedYaml(c.change, masker), "yaml")}\n\n</details>`;
  }
  const crd = crdSummary(c);
  const deltas = maskedDeltas(c.change, masker).filter((d) => crd === undefined || !isDescription(d.path));
  let lines = [...(crd === undefined ? [] : crd.lines), ...diffLines(deltas)];
  if (lines.length === 0) return `${head}: no field-level differences to show`;
  const total = lines.length;
  if (total > MAX_DIFF_LINES)
    lines = [...lines.slice(0, MAX_DIFF_LINES), `# … ${total - MAX_DIFF_LINES} more lines`];
  const block = fenced(lines.join("\n"), "diff");
  if (total <= OPEN_DIFF_LINES) return `${head}\n\n${block}`;
  const fields = c.change.fields.length;
  return `<details><summary>${htmlHead} · ${fields} changed field${fields === 1 ? "" : "s"}</summary>\n\n${block}\n\n</details>`;
}

/**
 * A header list (findings, errors, skipped documents): up to MAX_LISTED items and at most
 * `maxChars` characters of them, so that many or long hostile entries cannot crowd the changes
 * table out of the budget.
 */
function listSection(title: string, items: string[], maxChars: number): string[] {
  if (items.length === 0) return [];
  const lines = [`#### ${title} (${items.length})`, ""];
  let used = 0;
  let listed = 0;
  for (const item of items.slice(0, MAX_LISTED)) {
    used += item.length + 3;
    if (listed > 0 && used > maxChars) break;
    lines.push(`- ${item}`);
    listed++;
  }
  if (items.length > listed) lines.push(`- … and ${items.length - listed} more; ${LOCAL_HINT}`);
  lines.push("");
  return lines;
}

function location(file: string, line: number | undefined, masker: Masker, options: MarkdownOptions): string {
  const where = code(cut(masker.maskText(line === undefined ? file : `${file}:${line}`), MAX_LIST_ITEM));
  const url = line !== undefined ? options.links?.fileUrl?.(file, line) : undefined;
  if (url === undefined || !/^https:\/\/[^\s<>()"']+$/.test(url)) return where;
  return `[${where}](${url})`;
}

/** Counts by level, most risky first: `200 low, 30 medium` → `30 medium, 200 low`. */
function byLevel(changes: readonly ClassifiedChange[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.level, (counts.get(c.level) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => levelRank(b[0]) - levelRank(a[0]))
    .map(([level, n]) => `${n} ${escapeInline(level)}`)
    .join(", ");
}

function rowsNotice(omitted: readonly ClassifiedChange[]): string {
  if (omitted.length === 0) return "";
  return `_… ${omitted.length} more change${omitted.length === 1 ? "" : "s"} not shown (${byLevel(omitted)}); ${LOCAL_HINT}._`;
}

function diffsNotice(omitted: readonly ClassifiedChange[]): string {
  if (omitted.length === 0) return "";
  return `_… diffs of ${omitted.length} change${omitted.length === 1 ? "" : "s"} not shown (${byLevel(omitted)}); ${LOCAL_HINT}._`;
}

/**
 * Pieces in the order they are kept: for each level, most risky first, its rows then its diffs.
 * So the least risky diffs are dropped first, then the least risky rows.
 */
function* piecesByRisk(ordered: readonly ClassifiedChange[], masker: Masker): Generator<Piece> {
  let i = 0;
  while (i < ordered.length) {
    const rank = levelRank((ordered[i] as ClassifiedChange).level);
    const start = i;
    while (i < ordered.length && levelRank((ordered[i] as ClassifiedChange).level) === rank) i++;
    for (let j = start; j < i; j++) {
      yield { kind: "row", change: j, render: () => tableRow(ordered[j] as ClassifiedChange, masker) };
    }
    for (let j = start; j < i; j++) {
      // The trailing newline separates consecutive diffs by a blank line.
      yield {
        kind: "diff",
        change: j,
        render: () => `${diffPiece(ordered[j] as ClassifiedChange, masker)}\n`,
      };
    }
  }
}

/** Renders the markdown report of a plan, masked, escaped and at most `maxChars` long. */
export function renderMarkdown(plan: Plan, options: MarkdownOptions): string {
  const { masker } = options;
  const maxChars = Math.max(0, Math.floor(options.maxChars ?? REPORT_CHAR_BUDGET));
  const title = options.title ?? "countersign plan";
  const head: string[] = [`### ${escapeInline(title)}`, "", summaryLine(plan), ""];
  // Each header list gets at most an eighth of the budget: the changes keep most of it.
  const listChars = Math.floor(maxChars / 8);
  head.push(
    ...listSection(
      "Pull request",
      (plan.classification.pullRequestFindings ?? []).map((f) => findingText(f, masker)),
      listChars,
    ),
  );
  head.push(
    ...listSection(
      "Errors",
      plan.errors.map(
        (e) =>
          `${location(e.file, e.line, masker, options)}${sideText(e.side)} ${escapeInline(cut(masker.maskText(e.message), MAX_LIST_ITEM))}`,
      ),
      listChars,
    ),
  );
  head.push(
    ...listSection(
      "Skipped documents",
      plan.skipped.map(
        (s) =>
          `${location(s.file, s.line, masker, options)}${sideText(s.side)} ${escapeInline(cut(masker.maskText(s.reason), MAX_LIST_ITEM))}`,
      ),
      listChars,
    ),
  );

  // Most risky first; the sort is stable, so change-set (key) order holds within a level.
  const ordered = [...plan.classification.changes].sort((a, b) => levelRank(b.level) - levelRank(a.level));
  if (ordered.length === 0)
    return hardCut(head.join("\n").trimEnd(), maxChars, `_… report truncated; ${LOCAL_HINT}._`);

  const tableHead = ["#### Changes", "", "| Risk | Op | Object | Why |", "| --- | --- | --- | --- |"];
  const diffHead = ["", "#### Diffs", ""];
  // Room for both notices in their longest form (every change omitted).
  const reserve = rowsNotice(ordered).length + diffsNotice(ordered).length + 8;
  const fixed = [...head, ...tableHead, ...diffHead].join("\n").length + reserve;

  const chosen = selectPieces(piecesByRisk(ordered, masker), maxChars - fixed);

  const out = [...head, ...tableHead];
  for (let j = 0; j < ordered.length; j++) {
    const row = chosen.rows.get(j);
    if (row !== undefined) out.push(row);
  }
  const notice = rowsNotice(ordered.filter((_, j) => !chosen.rows.has(j)));
  if (notice !== "") out.push("", notice);
  const shownDiffs = ordered.map((_, j) => j).filter((j) => chosen.diffs.has(j));
  const missingDiffs = ordered.filter((_, j) => chosen.rows.has(j) && !chosen.diffs.has(j));
  if (shownDiffs.length > 0 || missingDiffs.length > 0) {
    out.push(...diffHead);
    for (const j of shownDiffs) out.push(chosen.diffs.get(j) as string);
    const dn = diffsNotice(missingDiffs);
    if (dn !== "") out.push(dn);
  }
  return hardCut(out.join("\n").trimEnd(), maxChars, `_… report truncated; ${LOCAL_HINT}._`);
}

/** ` (head)`: which revision an error or a skipped document belongs to, when the plan says. */
function sideText(side: PlanSide | undefined): string {
  return side === undefined ? "" : ` (${side})`;
}

/** `….description` (also `[…].description`): documentation that a CRD diff folds away. */
function isDescription(path: string): boolean {
  return path.endsWith(".description");
}

/**
 * A CRD update summarised: schema fields added, removed, tightened (src/core/policy/crd-changes.ts)
 * and how many description changes are folded away, so that reworded documentation does not push
 * the risky rows out of the comment. Undefined for other kinds.
 */
function crdSummary(c: ClassifiedChange): { lines: string[] } | undefined {
  const { change } = c;
  if (change.kind !== "CustomResourceDefinition" || change.group !== "apiextensions.k8s.io") return undefined;
  const changes = crdChanges(change.before?.object ?? null, change.after?.object ?? null);
  const count = (effect: string) => changes.filter((x) => x.effect === effect).length;
  const folded = change.deltas.filter((d) => isDescription(d.path)).length;
  const parts = ["added", "removed", "tightened", "loosened", "changed"]
    .map((effect) => [effect, count(effect)] as const)
    .filter(([, n]) => n > 0)
    .map(([effect, n]) => `${n} ${effect}`);
  const lines = [
    `# schema: ${parts.length === 0 ? "no change" : parts.join(", ")}; ${folded} description change(s) folded away`,
  ];
  for (const x of changes.filter((x) => x.severity !== "medium").slice(0, 20))
    lines.push(`# ${x.severity}: ${x.path}: ${x.what}`);
  return { lines };
}
