/**
 * Renders every output people or logs read from a corpus, through a given masker: the markdown and
 * JSON reports, the check run and PR comment, audit records (built, stored, then read back with
 * `audit ls`, `audit show` and `audit report`) and messages from other systems.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { AuditLog } from "../../src/audit/audit-log.js";
import { LocalAuditStore } from "../../src/audit/local-store.js";
import { loadPolicy } from "../../src/config/policy-files.js";
import { buildManifestSet } from "../../src/core/manifest-set.js";
import { maskMessage } from "../../src/core/mask/message.js";
import type { Masker } from "../../src/core/mask/types.js";
import type { KubeObject, ManifestObject } from "../../src/core/model.js";
import { plan as buildPlan } from "../../src/core/plan.js";
import { renderJson } from "../../src/core/report/json.js";
import { renderMarkdown } from "../../src/core/report/markdown.js";
import { commentBody, verdictResult } from "../../src/gate/check-output.js";
import { runAudit } from "../cli/audit-fixture.js";
import type { Entry } from "./corpus.js";

export type Outputs = Record<string, string>;

/** What an unmasked pipeline would show: the control proving the leak check can see a leak. */
export const identityMasker: Masker = {
  maskObject: (object) => structuredClone(object),
  maskText: (text) => text,
  fingerprint: () => "000000000000",
};

const policy = await loadPolicy();

function files(entries: readonly Entry[], side: "base" | "head") {
  return entries
    .filter((e) => e[side] !== undefined)
    .map((e, i) => ({
      path: `m/${String(i).padStart(4, "0")}.yaml`,
      content: stringify(e[side] as KubeObject),
    }));
}

/** Every output of one corpus through `masker`, keyed by output name. */
export async function renderOutputs(entries: readonly Entry[], masker: Masker): Promise<Outputs> {
  const base = buildManifestSet(files(entries, "base"));
  const head = buildManifestSet(files(entries, "head"));
  const plan = buildPlan(base, head, policy);
  const markdown = renderMarkdown(plan, { masker, maxChars: Number.MAX_SAFE_INTEGER });
  const json = JSON.stringify(renderJson(plan, { masker }));
  const description = { conclusion: "action_required" as const, title: "needs approval", summary: "review" };
  const check = JSON.stringify(
    verdictResult(plan, description, markdown, "0".repeat(64), undefined, (t) => masker.maskText(t)),
  );
  const comment = commentBody(renderMarkdown(plan, { masker }));
  const messages = entries
    .filter((e) => e.message !== undefined)
    .map((e) => maskMessage(masker, e.message as string))
    .join("\n");
  return {
    markdown,
    json,
    "check-run": check,
    "pr-comment": comment,
    "manifest-errors": JSON.stringify([...base.errors, ...head.errors]),
    "api-messages": messages,
    ...(await auditOutputs(entries, [...head.objects.values(), ...base.objects.values()], masker)),
  };
}

async function auditOutputs(
  entries: readonly Entry[],
  objects: ManifestObject[],
  masker: Masker,
): Promise<Outputs> {
  const dir = await mkdtemp(join(tmpdir(), "cs-leaks-"));
  try {
    const store = join(dir, "store");
    let t = Date.parse("2026-01-30T09:00:00Z");
    let n = 0;
    const log = new AuditLog({
      store: new LocalAuditStore(store),
      cluster: "prod",
      actor: "reconciler",
      masker,
      spool: join(dir, "spool"),
      clock: { now: () => new Date((t += 60_000)) },
      newId: () => `rec-${++n}`,
    });
    const messages = entries.filter((e) => e.message !== undefined).map((e) => e.message as string);
    for (let i = 0; i < objects.length; i += 100) {
      const chunk = objects.slice(i, i + 100);
      const handle = await log.appendIntent({
        repository: "acme/infra",
        commit: "1".repeat(40),
        pullRequests: [7],
        approvals: [],
        objects: chunk.map((o) => ({
          key: o.key,
          op: "update" as const,
          digest: o.digest,
          object: o.object,
        })),
      });
      await log.appendResult(handle, {
        status: "failed",
        objects: chunk.map((o, j) => ({
          key: o.key,
          op: "update" as const,
          digest: o.digest,
          outcome: "failed" as const,
          message: messages[(i + j) % Math.max(1, messages.length)] ?? "",
        })),
      });
    }
    await log.appendRefusal({
      repository: "acme/infra",
      commit: "2".repeat(40),
      objects: [],
      message: messages.join("\n"),
    });
    log.close();
    const ls = await runAudit(["ls", "--output", "json"], store);
    const ids = (JSON.parse(ls.out) as { id: string }[]).map((r) => r.id);
    let show = "";
    for (const id of ids) show += (await runAudit(["show", id], store)).out;
    const html = join(dir, "report.html");
    await runAudit(["report", "--since", "3650d", "--html", html], store);
    const records: string[] = [];
    for (const id of ids) records.push((await runAudit(["show", id, "--json"], store)).out);
    return {
      "audit-records": records.join("\n"),
      "audit ls": ls.out + (await runAudit(["ls"], store)).out,
      "audit show": show,
      "audit report": await readFile(html, "utf8"),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Which entries leak, per output: an entry leaks when any of its needles appears (or its JSON-escaped form). */
export function findLeaks(entries: readonly Entry[], outputs: Outputs): Map<string, Entry[]> {
  const leaks = new Map<string, Entry[]>();
  for (const [name, raw] of Object.entries(outputs)) {
    const text = unescape(raw);
    const leaked = entries.filter((e) =>
      e.needles.some((needle) => text.includes(needle) || text.includes(JSON.stringify(needle).slice(1, -1))),
    );
    leaks.set(name, leaked);
  }
  return leaks;
}

/** Undoes the escapes of markdown (`\\_`), HTML (`&#95;`, `&amp;`) so an escaped leak is still seen. */
function unescape(text: string): string {
  return text
    .replace(/\\([!-/:-@[-`{-~])/g, "$1")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
