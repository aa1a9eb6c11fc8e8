/**
 * A second, independent judge of the leak corpus: secretlint's maintained recommended rule set
 * (the @secretlint rule packages) scans every output. On the unmasked control it must find
 * credentials (so it can see them); on the masked outputs it must find none.
 */
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { describe, expect, it } from "vitest";
import { createMasker } from "../../src/core/mask/masker.js";
import { buildCorpus } from "./corpus.js";
import { identityMasker, renderOutputs } from "./outputs.js";
import type { Outputs } from "./outputs.js";

interface Finding {
  output: string;
  rule: string;
  text: string;
}

async function scan(outputs: Outputs): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const [output, content] of Object.entries(outputs)) {
    const result = await lintSource({
      source: { filePath: `/${output}.txt`, content, contentType: "text" },
      options: {
        config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: recommended }] },
      },
    });
    for (const message of result.messages) {
      findings.push({
        output,
        rule: message.ruleId,
        text: content.slice(message.range[0], message.range[1]),
      });
    }
  }
  return findings;
}

const entries = buildCorpus();

describe("secretlint as a second judge", () => {
  it("control: secretlint finds credentials of many formats in the unmasked outputs", async () => {
    const findings = await scan((await renderOutputs(entries, identityMasker)).outputs);
    const rules = new Set(findings.map((f) => f.rule));
    expect(rules.size).toBeGreaterThanOrEqual(15);
  });

  it("finds nothing in the masked outputs", async () => {
    const masker = createMasker({ fingerprintKey: "secretlint-oracle" });
    const findings = await scan((await renderOutputs(entries, masker)).outputs);
    // Name the rule and the output, never the value.
    expect(findings.map((f) => `${f.output}: ${f.rule} (${f.text.length} characters)`)).toEqual([]);
  });
});
