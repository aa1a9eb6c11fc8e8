/**
 * Issue 11's proof: a fresh corpus of real credential formats in every placement class reaches no
 * output (reports, check runs, PR comments, the reconciler's statuses, comments, audit records,
 * drift reports and log lines, `audit ls/show/report`, messages, CLI errors), and at most 1 in 50
 * benign values is masked. The unmasked control is leaks-control.test.ts.
 */
import { describe, expect, it } from "vitest";
import { createMasker } from "../../src/core/mask/masker.js";
import { benignSet } from "./benign.js";
import { buildCorpus } from "./corpus.js";
import { findLeaks, renderOutputs } from "./outputs.js";
import { overMasked } from "./over-masking.js";

const entries = buildCorpus();
const masker = createMasker({ fingerprintKey: "leak-test" });

describe("leak corpus", () => {
  it("no credential reaches any output", async () => {
    const { outputs } = await renderOutputs(entries, masker);
    const leaks = findLeaks(entries, outputs);
    const report = [...leaks].flatMap(([output, leaked]) =>
      leaked.map((e) => `${output}: ${e.id} (${e.op})`),
    );
    expect(report).toEqual([]);
  });

  it("masks at most 1 in 50 benign values", () => {
    const hidden = overMasked(benignSet(), masker);
    expect(hidden.length, hidden.join("\n")).toBeLessThanOrEqual(Math.floor(hidden.total / 50));
  });
});
