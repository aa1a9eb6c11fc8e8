/**
 * The core functions the gate needs that are loaded or compiled once: the policy and the report
 * renderer. Injected so tests and the benchmark can hand in fakes; `defaultEngine` binds the real
 * core modules.
 */
import { createHash } from "node:crypto";
import { loadPolicySources, withDefaultPack } from "../config/policy-files.js";
import type { Plan } from "../core/model.js";
import { compilePolicy } from "../core/policy/index.js";
import type { PolicySource } from "../core/policy/index.js";
import type { CompiledPolicy } from "../core/ports/policy.js";
import { Lru } from "../github/lru.js";

/** One policy file as read from the default branch or from the shipped pack. */
export interface PolicySourceFile {
  file: string;
  content: string;
}

export interface GateEngine {
  /** The policy the repository configuration names: the default pack, or the repository's files (read from the default branch) compiled with it. Throws on invalid policy. */
  compilePolicy(
    repositorySources: PolicySourceFile[] | undefined,
    countersignNamespace: string,
  ): Promise<CompiledPolicy>;
  /** The masked markdown report of a plan, within `maxChars`. */
  renderReport(plan: Plan, options: { maxChars: number; title: string }): string;
}

/** Escapes text for a markdown table cell. */
function cell(text: string): string {
  return text.replace(/[|\\`<>]/g, (c) => `\\${c}`).replace(/\s+/g, " ");
}

/**
 * Interim report (local adapter until src/core/report/markdown.ts lands): keys, operations, levels,
 * reasons and changed field paths only, never a field value, so nothing needs masking.
 */
export function interimReport(plan: Plan, options: { maxChars: number; title: string }): string {
  const levels = new Map(plan.classification.changes.map((c) => [c.change.key, c]));
  const lines = [
    `### ${options.title}`,
    "",
    `**${plan.classification.level}** risk · ${plan.changeSet.changes.length} change(s), ${plan.changeSet.unchanged} unchanged`,
    "",
    "| object | op | risk | why |",
    "|---|---|---|---|",
  ];
  let used = lines.join("\n").length;
  let shown = 0;
  for (const change of plan.changeSet.changes) {
    const classified = levels.get(change.key);
    const why = (classified?.findings ?? [])
      .map((f) => `${f.reason}${f.path ? ` (${f.path})` : ""}`)
      .join("; ");
    const row = `| \`${cell(change.key)}\` | ${change.op} | ${classified?.level ?? plan.classification.level} | ${cell(why)} |`;
    if (used + row.length + 200 > options.maxChars) break;
    lines.push(row);
    used += row.length + 1;
    shown++;
  }
  if (shown < plan.changeSet.changes.length)
    lines.push("", `… and ${plan.changeSet.changes.length - shown} more`);
  return lines.join("\n");
}

/**
 * The engine of a running gate: policies compiled with the real compiler and cached by the digest
 * of their sources (compiling CEL on every event would cost more than the evaluation).
 */
export function createDefaultEngine(
  options: { defaultSources?: () => Promise<PolicySource[]> } = {},
): GateEngine {
  let pack: Promise<PolicySource[]> | undefined;
  const defaults = (): Promise<PolicySource[]> => {
    pack ??= (options.defaultSources ?? (() => loadPolicySources()))();
    return pack;
  };
  const compiled = new Lru<CompiledPolicy>(100);
  return {
    async compilePolicy(repositorySources, countersignNamespace) {
      const sources =
        repositorySources === undefined
          ? await defaults()
          : await withDefaultPack(repositorySources, defaults);
      const key = createHash("sha256")
        .update(JSON.stringify([countersignNamespace, sources]))
        .digest("hex");
      const cached = compiled.get(key);
      if (cached !== undefined) return cached;
      const policy = compilePolicy(sources, { countersignNamespace });
      compiled.set(key, policy);
      return policy;
    },
    renderReport: interimReport,
  };
}
