/**
 * The core functions that are loaded or compiled once, for the gate and the reconciler alike: the
 * policy (compiled and cached by the digest of its sources) and the report renderer. Injected so
 * tests and the benchmark can hand in fakes; `createDefaultEngine` binds the real core modules.
 */
import { createHash, randomBytes } from "node:crypto";
import type { SecretDigestKey } from "../core/canonical.js";
import { loadPolicySources, withDefaultPack } from "../config/policy-files.js";
import type { Plan } from "../core/model.js";
import { createMasker } from "../core/mask/masker.js";
import { compilePolicy } from "../core/policy/index.js";
import { renderMarkdown } from "../core/report/markdown.js";
import type { PolicySource } from "../core/policy/index.js";
import type { CompiledPolicy } from "../core/ports/policy.js";
import { Lru } from "../github/lru.js";

/** One policy file as read from the default branch or from the shipped pack. */
export interface PolicySourceFile {
  file: string;
  content: string;
}

export interface PolicyEngine {
  /** The policy the repository configuration names: the default pack, or the repository's files (read from the default branch) compiled with it. Throws on invalid policy. */
  compilePolicy(
    repositorySources: PolicySourceFile[] | undefined,
    /** The repository configuration's namespace; undefined leaves the policy's own setting. */
    countersignNamespace?: string,
  ): Promise<CompiledPolicy>;
  /** The masked markdown report of a plan, within `maxChars`. */
  renderReport(plan: Plan, options: { maxChars: number; title: string }): string;
  /** Free text (a finding's reason for an annotation) masked as the report masks it. */
  maskText(text: string): string;
  /** The key Secrets are digested with (the fingerprint key; random per process without one). */
  readonly secretDigestKey?: SecretDigestKey;
}

/** The gate's name for the engine. */
export type GateEngine = PolicyEngine;

/**
 * The engine of a running gate or reconciler: policies compiled with the real compiler and cached by the digest
 * of their sources (compiling CEL on every event would cost more than the evaluation).
 */
export function createDefaultEngine(
  options: {
    defaultSources?: () => Promise<PolicySource[]>;
    /** HMAC key of the deployment for secret fingerprints; without it a random per-process key. */
    fingerprintKey?: string;
  } = {},
): PolicyEngine {
  const masker = createMasker(
    options.fingerprintKey === undefined ? {} : { fingerprintKey: options.fingerprintKey },
  );
  let pack: Promise<PolicySource[]> | undefined;
  const defaults = (): Promise<PolicySource[]> => {
    pack ??= (options.defaultSources ?? (() => loadPolicySources()))();
    return pack;
  };
  const compiled = new Lru<CompiledPolicy>(100);
  // Without the deployment's key, a random one: digests stay unguessable, and match nothing
  // another process computed (fail closed) until the key is configured.
  const secretDigestKey = options.fingerprintKey ?? randomBytes(32);
  return {
    secretDigestKey,
    async compilePolicy(repositorySources, countersignNamespace) {
      const sources =
        repositorySources === undefined
          ? await defaults()
          : await withDefaultPack(repositorySources, defaults);
      const key = createHash("sha256")
        .update(JSON.stringify([countersignNamespace ?? null, sources]))
        .digest("hex");
      const cached = compiled.get(key);
      if (cached !== undefined) return cached;
      const policy = compilePolicy(
        sources,
        countersignNamespace === undefined ? {} : { countersignNamespace },
      );
      compiled.set(key, policy);
      return policy;
    },
    renderReport: (plan, report) =>
      renderMarkdown(plan, { masker, maxChars: report.maxChars, title: report.title }),
    maskText: (text) => masker.maskText(text),
  };
}
