/**
 * Issue 11's proof: a fresh corpus of real credential formats in every placement class reaches no
 * output (reports, check run, PR comment, audit records and `audit ls/show/report`, messages), the
 * unmasked control proves the check sees leaks, and at most 1 in 50 benign values is masked.
 */
import { describe, expect, it } from "vitest";
import { createMasker } from "../../src/core/mask/masker.js";
import { benignSet } from "./benign.js";
import { buildCorpus } from "./corpus.js";
import { findLeaks, identityMasker, renderOutputs } from "./outputs.js";
import { overMasked } from "./over-masking.js";

const entries = buildCorpus();
const masker = createMasker({ fingerprintKey: "leak-test" });

describe("leak corpus", () => {
  it("control: without masking, the check sees every entry leak", async () => {
    const leaks = findLeaks(entries, await renderOutputs(entries, identityMasker));
    const seen = new Set([...leaks.values()].flat());
    expect(seen.size).toBe(entries.length);
    // Every object entry reaches the audit records; every message reaches the message output.
    expect(leaks.get("audit-records")?.length).toBe(entries.length);
  });

  it("no credential reaches any output", async () => {
    const leaks = findLeaks(entries, await renderOutputs(entries, masker));
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
