/**
 * `audit report --html`: a self-contained page an auditor opens offline. No scripts, no external
 * resources (a CSP forbids them), every value escaped. A timeline of applies (intent + result),
 * refusals, baselines and drift reverts; per change the PR link, approvers, risk and what was applied.
 */
import type { AuditRecord } from "./record.js";
import { clean, recordRisk } from "./render-text.js";
import type { ChainVerdict } from "./verify.js";

export interface HtmlReportInput {
  /** Records in the window, any clusters, in time order. */
  records: readonly AuditRecord[];
  /** Intents before the window are not needed: results are matched to intents in `records` or shown alone. */
  since: Date;
  until: Date;
  generatedAt: Date;
  /** Store location shown in the header. */
  location: string;
  /** Chain verdict of each cluster (whole chain, not just the window). */
  verdicts: ReadonlyMap<string, ChainVerdict>;
  /** Head of each verified chain: printed in full so the page pins the log (`audit verify --expect-head`). */
  heads?: ReadonlyMap<string, { seq: number; hash: string }>;
  /** GitHub web URL for PR links (default https://github.com). */
  githubUrl?: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function prLink(repository: string, pr: number, githubUrl: string): string {
  if (!REPO.test(repository) || !/^https?:\/\/[A-Za-z0-9.:-]+$/.test(githubUrl)) return `#${pr}`;
  return `<a href="${escapeHtml(`${githubUrl}/${repository}/pull/${pr}`)}">${escapeHtml(`${repository}#${pr}`)}</a>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{font-size:12px}.ok{color:#116611}.bad{color:#b00020;font-weight:bold}
.refusal{background:#fff3f3}.drift{background:#fffbe6}.baseline{background:#f0f4ff}
.risk-critical{color:#b00020;font-weight:bold}.risk-high{color:#c05000}ul{margin:0;padding-left:1.2em}
code.full{user-select:all;word-break:break-all}dl{margin:.4em 0 0}dt{font-weight:bold;margin-top:.2em}dd{margin-left:1em}`;

export function renderHtmlReport(input: HtmlReportInput): string {
  const githubUrl = (input.githubUrl ?? "https://github.com").replace(/\/+$/, "");
  // Control characters and bidi overrides shown escaped, as in the terminal: a key must read as it is.
  const e = (text: string): string => escapeHtml(clean(text));
  const results = new Map<string, AuditRecord>();
  for (const r of input.records) if (r.kind === "result" && r.intent) results.set(r.intent, r);
  const intents = new Set(input.records.filter((r) => r.kind === "intent").map((r) => r.id));

  const rows: string[] = [];
  let applies = 0;
  let refusals = 0;
  let failed = 0;
  let interrupted = 0;
  let drifts = 0;
  for (const r of input.records) {
    if (r.kind === "result" && r.intent && intents.has(r.intent)) continue; // shown with its intent
    const result = r.kind === "intent" ? results.get(r.id) : r.kind === "result" ? r : undefined;
    if (r.kind === "intent" || r.kind === "result") applies++;
    if (r.kind === "refusal") refusals++;
    if (r.kind === "drift") drifts++;
    if (result?.status === "failed") failed++;
    if (result?.status === "interrupted") interrupted++;
    const label =
      r.kind === "intent"
        ? "apply"
        : r.kind === "result"
          ? "apply (result only)"
          : r.kind === "drift"
            ? "drift reverted"
            : r.kind;
    const status = result ? (result.status ?? "") : r.kind === "intent" ? "no result" : "";
    const prs = r.pullRequests.map((n) => prLink(r.repository, n, githubUrl)).join(", ") || "—";
    const approvers = r.approvals
      .flatMap((a) =>
        a.auto && a.approvers.length === 0
          ? [`auto-approved (#${a.pullRequest})`]
          : a.approvers.map((p) => `${p.login} (review ${p.reviewId}, ${p.submittedAt})`),
      )
      .map((t) => `<li>${e(t)}</li>`)
      .join("");
    const fromResult = new Map((result && result !== r ? result.objects : []).map((o) => [o.key, o]));
    const objects = r.objects
      .map((o) => {
        const after = fromResult.get(o.key);
        const outcome = after?.outcome ?? o.outcome ?? "";
        const message = after?.message ?? o.message;
        const digest = o.digest ? ` <code class="full">${e(o.digest)}</code>` : "";
        return `<li>${e(o.op)} <code>${e(o.key)}</code>${digest}${outcome ? ` → ${e(outcome)}` : ""}${message ? ` — ${e(message)}` : ""}</li>`;
      })
      .join("");
    const risk = recordRisk(r);
    const message = [r.message, result && result !== r ? result.message : undefined]
      .filter(Boolean)
      .map((m) => e(m!))
      .join("<br>");
    const evidence = evidenceList(r, result && result !== r ? result : undefined, e);
    rows.push(
      `<tr class="${e(r.kind)}"><td>${e(r.time)}</td><td>${e(r.cluster)}</td><td>${e(label)}</td><td>${e(status)}</td>` +
        `<td><code class="full">${e(r.commit)}</code></td><td>${prs}</td><td><ul>${approvers}</ul></td>` +
        `<td class="risk-${e(risk ?? "none")}">${e(risk ?? "")}</td><td><ul>${objects}</ul>${message ? `<p>${message}</p>` : ""}${evidence}</td>` +
        `<td><code>${e(r.id)}</code><br><code class="full">${e(r.hash)}</code></td></tr>`,
    );
  }

  const verdicts = [...input.verdicts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cluster, v]) => {
      if (!v.ok) {
        const where = v.problem.seq < 0 ? "" : ` at record ${e(v.problem.id)} (seq ${v.problem.seq})`;
        return `<li class="bad">${e(cluster)}: FAILED${where}: ${e(v.problem.kind)} — ${e(v.problem.message)}</li>`;
      }
      const head = input.heads?.get(cluster);
      const pin = head
        ? `, head <code class="full">${e(head.hash)}</code> (seq ${head.seq}; check later with <code>countersign audit verify --cluster ${e(cluster)} --expect-head ${e(head.hash)}</code>)`
        : "";
      return `<li class="ok">${e(cluster)}: chain verified, ${v.records} record${v.records === 1 ? "" : "s"}${pin}, every intent has one result, every applied change covered</li>`;
    })
    .join("");

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>countersign audit report ${e(input.since.toISOString())} – ${e(input.until.toISOString())}</title>
<style>${STYLE}</style></head>
<body>
<h1>countersign audit report</h1>
<p>Store <code>${e(input.location)}</code>, from ${e(input.since.toISOString())} to ${e(input.until.toISOString())}, generated ${e(input.generatedAt.toISOString())}.</p>
<p id="summary">${applies} applies, ${refusals} refusals, ${input.records.length} records.</p>
<p id="events">${failed} failed, ${interrupted} interrupted, ${drifts} drift reverted.</p>
<h2>Chain verification</h2>
<ul id="verdicts">${verdicts || "<li>no clusters</li>"}</ul>
<h2>Timeline</h2>
<table id="timeline"><thead><tr><th>Time</th><th>Cluster</th><th>Event</th><th>Status</th><th>Commit</th><th>Pull requests</th><th>Approvers</th><th>Risk</th><th>What</th><th>Record</th></tr></thead>
<tbody>
${rows.join("\n") || '<tr><td colspan="10">no records in this window</td></tr>'}
</tbody></table>
</body></html>
`;
}

/**
 * What an auditor copies into change-management evidence: the PR authors (flagged when one also
 * approved), each approval's head SHA, check run and digests in full, and when the apply ran.
 */
function evidenceList(r: AuditRecord, result: AuditRecord | undefined, e: (text: string) => string): string {
  const items: string[] = [];
  const approvers = new Set(r.approvals.flatMap((a) => a.approvers.map((p) => p.login.toLowerCase())));
  for (const a of r.authors ?? []) {
    const own = approvers.has(a.login.toLowerCase());
    items.push(
      `<dt>Author of #${a.pullRequest}</dt><dd${own ? ' class="bad"' : ""}>${e(a.login)}${own ? " — also an approver (author and approver must differ)" : ""}</dd>`,
    );
  }
  for (const a of r.approvals) {
    items.push(
      `<dt>Approval of #${a.pullRequest}</dt><dd>head <code class="full">${e(a.headSha)}</code>, check run ${a.checkRunId}<br>` +
        `change set <code class="full">${e(a.changeSetDigest)}</code><br>policy <code class="full">${e(a.policyDigest)}</code></dd>`,
    );
  }
  const started = result?.startedAt ?? r.startedAt;
  if (started) items.push(`<dt>Apply started</dt><dd>${e(started)}</dd>`);
  if (result) items.push(`<dt>Apply finished</dt><dd>${e(result.time)} (${e(result.status ?? "")})</dd>`);
  else if (r.kind === "result") items.push(`<dt>Apply finished</dt><dd>${e(r.time)}</dd>`);
  return items.length > 0 ? `<dl class="evidence">${items.join("")}</dl>` : "";
}
