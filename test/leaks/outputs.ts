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
import type { KubeObject, ManifestError, ManifestObject } from "../../src/core/model.js";
import { REPORT_CHAR_BUDGET } from "../../src/core/constants.js";
import { plan as buildPlan } from "../../src/core/plan.js";
import { renderJson } from "../../src/core/report/json.js";
import { renderMarkdown } from "../../src/core/report/markdown.js";
import { MAX_VALUE_CHARS } from "../../src/core/report/object-diff.js";
import { commentBody, invalidManifestsResult, verdictResult } from "../../src/gate/check-output.js";
import { runAudit } from "../cli/audit-fixture.js";
import type { Entry } from "./corpus.js";
import { cliOutputs, invalidManifestFiles } from "./cli-outputs.js";
import { gateOutputs } from "./gate-outputs.js";
import { reconcilerOutputs } from "./reconciler-outputs.js";

export type Outputs = Record<string, string>;
export { identityMasker } from "./identity-masker.js";

const policy = await loadPolicy();

function files(entries: readonly Entry[], side: "base" | "head") {
  return entries
    .filter((e) => e[side] !== undefined)
    .map((e, i) => ({
      path: `m/${String(i).padStart(4, "0")}.yaml`,
      content: stringify(e[side] as KubeObject),
    }));
}

/** Outputs, and the entries each one is known to receive (the control proves it shows them all). */
export interface Rendered {
  outputs: Outputs;
  routed: Record<string, readonly Entry[]>;
}

/**
 * A check run and a PR comment hold 65,000 characters: batches of at most this many objects, and
 * this many characters of manifests, keep every unmasked report whole (the control checks it).
 */
const PER_CHECK_RUN = 30;
const CHECK_RUN_MANIFEST_CHARS = 16_000;

/** Leaf strings of a JSON-like value. */
function leaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(leaves);
}

/**
 * Whether a report shows the entry's credential: an update's diff shows each changed value cut to
 * MAX_VALUE_CHARS, so a credential deep inside a long value (a base64 kubeconfig) is never shown.
 */
function wholeInDiff(e: Entry): boolean {
  if (e.op !== "update") return true;
  return [e.base, e.head].flatMap(leaves).some((leaf) => {
    const shown = JSON.stringify(leaf).slice(0, MAX_VALUE_CHARS + 1);
    return e.needles.some((n) => shown.includes(JSON.stringify(n).slice(1, -1)));
  });
}

/** `objects` cut into batches whose reports fit a check run. */
function checkRunBatches(objects: readonly Entry[]): Entry[][] {
  const batches: Entry[][] = [];
  let batch: Entry[] = [];
  let chars = 0;
  for (const e of objects) {
    const size = JSON.stringify([e.base, e.head]).length;
    if (batch.length > 0 && (batch.length >= PER_CHECK_RUN || chars + size > CHECK_RUN_MANIFEST_CHARS)) {
      batches.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(e);
    chars += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** Every output of one corpus through `masker`, keyed by output name. */
export async function renderOutputs(entries: readonly Entry[], masker: Masker): Promise<Rendered> {
  const base = buildManifestSet(files(entries, "base"));
  const head = buildManifestSet(files(entries, "head"));
  const plan = buildPlan(base, head, policy);
  const markdown = renderMarkdown(plan, { masker, maxChars: Number.MAX_SAFE_INTEGER });
  const json = JSON.stringify(renderJson(plan, { masker }));
  const messages = entries.filter((e) => e.message !== undefined);
  const objects = entries.filter((e) => e.base !== undefined || e.head !== undefined);
  const apiMessages = messages.map((e) => maskMessage(masker, e.message as string)).join("\n");
  const invalid = invalidManifests(messages);
  const gate: Rendered = {
    outputs: {
      markdown,
      json,
      ...checkRunsAndComments(objects, masker),
      "invalid-manifests check run": JSON.stringify(
        invalidManifestsResult(invalid.errors, (t) => masker.maskText(t)),
      ),
      "manifest-errors": JSON.stringify([...base.errors, ...head.errors]),
      "api-messages": apiMessages,
    },
    routed: {
      "check-run": objects.filter(wholeInDiff),
      "pr-comment": objects.filter(wholeInDiff),
      "invalid-manifests check run": invalid.routed,
      "api-messages": messages,
    },
  };
  const audit = await auditOutputs(entries, [...head.objects.values(), ...base.objects.values()], masker);
  const parts = [
    gate,
    audit,
    await reconcilerOutputs(entries, masker),
    await gateOutputs(entries, masker),
    await cliOutputs(entries),
  ];
  return {
    outputs: Object.assign({}, ...parts.map((p) => p.outputs)) as Outputs,
    routed: Object.assign({}, ...parts.map((p) => p.routed)) as Rendered["routed"],
  };
}

/**
 * The check run and the PR comment as the gate builds them (src/gate/plan-head.ts): the report
 * cut to the check run's budget. A check run holds 65,000 characters, so the corpus goes through
 * in batches small enough that every object entry's report is whole in one of them.
 */
function checkRunsAndComments(objects: readonly Entry[], masker: Masker): Outputs {
  const checks: string[] = [];
  const comments: string[] = [];
  const description = { conclusion: "action_required" as const, title: "needs approval", summary: "review" };
  for (const batch of checkRunBatches(objects)) {
    const plan = buildPlan(
      buildManifestSet(files(batch, "base")),
      buildManifestSet(files(batch, "head")),
      policy,
    );
    const report = renderMarkdown(plan, { masker, maxChars: REPORT_CHAR_BUDGET - 100 });
    const mask = (t: string): string => masker.maskText(t);
    checks.push(JSON.stringify(verdictResult(plan, description, report, "0".repeat(64), undefined, mask)));
    comments.push(commentBody(report));
  }
  return { "check-run": checks.join("\n"), "pr-comment": comments.join("\n") };
}

/** Manifests the gate cannot read, built from the message entries (see cli-outputs.ts). */
function invalidManifests(messages: readonly Entry[]): { errors: ManifestError[]; routed: Entry[] } {
  const set = buildManifestSet(messages.flatMap((e, i) => invalidManifestFiles(e, i)));
  return { errors: set.errors, routed: messages.filter((e) => !(e.value ?? "").includes("\n")) };
}

async function auditOutputs(
  entries: readonly Entry[],
  objects: ManifestObject[],
  masker: Masker,
): Promise<Rendered> {
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
      outputs: {
        "audit-records": records.join("\n"),
        "audit ls": ls.out + (await runAudit(["ls"], store)).out,
        "audit show": show,
        "audit report": await readFile(html, "utf8"),
      },
      routed: { "audit-records": entries },
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
      e.needles.some((needle) => {
        const escaped = JSON.stringify(needle).slice(1, -1);
        return text.includes(needle) || (escaped !== needle && text.includes(escaped));
      }),
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
