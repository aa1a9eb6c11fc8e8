/**
 * Issue 11's proof: a fresh corpus of real credential formats in every placement class reaches no
 * output (reports, check runs, PR comments, the reconciler's statuses, comments, audit records,
 * drift reports and log lines, the gate's log lines and error check run, `audit ls/show/report`,
 * messages, CLI errors), by the corpus's own needles and by secretlint's rules, and at most 1 in 50
 * benign values is masked. The unmasked control is leaks-control.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createMasker } from "../../src/core/mask/masker.js";
import { benignSet } from "./benign.js";
import { buildCorpus } from "./corpus.js";
import { findLeaks, renderOutputs } from "./outputs.js";
import type { Outputs } from "./outputs.js";
import { overMasked } from "./over-masking.js";
import { secretlintFindings } from "./secretlint-oracle.js";

const entries = buildCorpus();
const masker = createMasker({ fingerprintKey: "leak-test" });
let outputs: Outputs;

// Rendering every output of the corpus is the slow part: once, for both judges.
beforeAll(async () => {
  ({ outputs } = await renderOutputs(entries, masker));
}, 180_000);

describe("leak corpus", () => {
  it("no credential reaches any output", () => {
    const leaks = findLeaks(entries, outputs);
    const report = [...leaks].flatMap(([output, leaked]) =>
      leaked.map((e) => `${output}: ${e.id} (${e.op})`),
    );
    expect(report).toEqual([]);
  }, 60_000);

  it("secretlint, a second judge, finds nothing in the masked outputs", async () => {
    const findings = await secretlintFindings(outputs);
    // Name the rule and the output, never the value.
    expect(findings.map((f) => `${f.output}: ${f.rule} (${f.text.length} characters)`)).toEqual([]);
  }, 60_000);

  it("masks at most 1 in 50 benign values", () => {
    const hidden = overMasked(benignSet(), masker);
    expect(hidden.length, hidden.join("\n")).toBeLessThanOrEqual(Math.floor(hidden.total / 50));
  });
});
