/**
 * Prints the leak and over-masking figures of a fresh corpus: `npx tsx test/leaks/figures.ts`.
 * The leak tests assert the targets; this shows the detail per class and per output.
 */
import { createMasker } from "../../src/core/mask/masker.js";
import { benignSet } from "./benign.js";
import { buildCorpus } from "./corpus.js";
import { overMasked } from "./over-masking.js";
import { findLeaks, identityMasker, renderOutputs } from "./outputs.js";

const entries = buildCorpus();
const masker = createMasker({ fingerprintKey: "figures" });
for (const [label, m] of [
  ["unmasked control", identityMasker],
  ["masked", masker],
] as const) {
  const { outputs, routed } = await renderOutputs(entries, m);
  const leaks = findLeaks(entries, outputs);
  const any = new Set([...leaks.values()].flat());
  console.log(`\n${label}: ${any.size} of ${entries.length} corpus entries reach at least one output`);
  for (const [output, leaked] of leaks)
    console.log(`  ${output}: ${leaked.length}${routed[output] ? ` (${routed[output].length} routed)` : ""}`);
  const byGroup = new Map<string, number>();
  for (const e of any) byGroup.set(e.group, (byGroup.get(e.group) ?? 0) + 1);
  for (const [group, count] of byGroup) console.log(`  class ${group}: ${count}`);
  if (label === "masked") for (const e of any) console.log(`    leak: ${e.id} (${e.op})`);
}
const benign = benignSet();
const hidden = overMasked(benign, masker);
console.log(`\nbenign values masked: ${hidden.length} of ${hidden.total}`);
for (const h of hidden) console.log(`  over-masked: ${h}`);
