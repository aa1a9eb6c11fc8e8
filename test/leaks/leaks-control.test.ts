/**
 * The control of the leak test: every output rendered with nothing masked proves the check can see
 * a leak. Every masker is the identity, the text scanner finds nothing, and errors are described
 * without the redaction of src/core/error-text.ts. Every entry must reach some output, each output
 * must show every entry routed through it, and secretlint must see credentials of many formats.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import type * as ErrorText from "../../src/core/error-text.js";
import type * as TextScanner from "../../src/core/mask/text-scanner.js";
import { buildCorpus } from "./corpus.js";
import { findLeaks, identityMasker, renderOutputs } from "./outputs.js";
import type { Rendered } from "./outputs.js";
import { secretlintFindings } from "./secretlint-oracle.js";

vi.mock("../../src/core/mask/text-scanner.js", async (importOriginal) => ({
  ...(await importOriginal<typeof TextScanner>()),
  findSecrets: () => [],
}));

vi.mock("../../src/core/error-text.js", async (importOriginal) => {
  const original = await importOriginal<typeof ErrorText>();
  // The cause chain, unredacted and unbounded.
  const describeError = (error: unknown): string => {
    const parts: string[] = [];
    for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
      parts.push(e instanceof Error ? e.message : String(e));
      e = e instanceof Error ? e.cause : undefined;
    }
    return parts.join(": ");
  };
  return { ...original, describeError, redact: (text: string) => text };
});

// Commands build their own masker (`countersign plan`): here it masks nothing either.
vi.mock("../../src/core/mask/masker.js", async () => {
  const { identityMasker: identity } = await import("./identity-masker.js");
  return { createMasker: () => identity };
});

const entries = buildCorpus();

let rendered: Rendered;

// Rendering every output of the corpus is the slow part: once, for both judges.
beforeAll(async () => {
  rendered = await renderOutputs(entries, identityMasker);
}, 180_000);

describe("leak corpus control", () => {
  it("without masking, the check sees every entry leak, in every output it is routed to", () => {
    const { outputs, routed } = rendered;
    const leaks = findLeaks(entries, outputs);
    const seen = new Set([...leaks.values()].flat());
    expect(seen.size).toBe(entries.length);
    const missing: string[] = [];
    for (const [output, expected] of Object.entries(routed)) {
      expect(expected.length, output).toBeGreaterThan(0);
      const shown = new Set(leaks.get(output));
      for (const e of expected) if (!shown.has(e)) missing.push(`${output}: ${e.id} (${e.op})`);
    }
    expect(missing).toEqual([]);
  }, 60_000);

  it("secretlint finds credentials of many formats in the unmasked outputs", async () => {
    const findings = await secretlintFindings(rendered.outputs);
    expect(new Set(findings.map((f) => f.rule)).size).toBeGreaterThanOrEqual(15);
  }, 60_000);
});
