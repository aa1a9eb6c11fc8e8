/**
 * A second, independent judge of the leak corpus: secretlint's maintained recommended rule set
 * (the @secretlint rule packages) scans every output. On the unmasked control it must find
 * credentials (so it can see them, leaks-control.test.ts); on the masked outputs it must find none
 * (leaks.test.ts). The tests share one rendering with the needle check: rendering is the slow part.
 */
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import type { Outputs } from "./outputs.js";

export interface Finding {
  output: string;
  rule: string;
  text: string;
}

/** What secretlint's recommended rules find in `outputs`. */
export async function secretlintFindings(outputs: Outputs): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const [output, content] of Object.entries(outputs)) {
    const result = await lintSource({
      source: { filePath: `/${output}.txt`, content, contentType: "text" },
      options: {
        config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: recommended }] },
      },
    });
    for (const message of result.messages) {
      const text = content.slice(message.range[0], message.range[1]);
      // An error description's own redaction (`postgres://app:[redacted]@db`, src/core/error-text.ts)
      // is shaped like a connection string: what it hides is not there.
      if (text.includes("[redacted]")) continue;
      findings.push({
        output,
        rule: message.ruleId,
        text,
      });
    }
  }
  return findings;
}
