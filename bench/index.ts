/**
 * `npm run bench`: prints the performance figures the issues ask for.
 * Each section is its own module; run one with `npm run bench -- <name>`.
 */
import { run as runPlan } from "./plan.js";
import { run as runPolicy } from "./policy.js";
import { run as runGate } from "./gate.js";
import { run as runAudit } from "./audit.js";
import { run as runMask } from "./mask.js";
import { run as runMaskDetectors } from "./mask-detectors.js";
import { run as runApproval } from "./approval.js";
import { run as runReconcileApply } from "./reconcile-apply.js";
import { run as runReconcile } from "./reconcile.js";

const sections: Record<string, () => Promise<void>> = {
  plan: runPlan,
  policy: runPolicy,
  mask: runMask,
  "mask-detectors": runMaskDetectors,
  approval: runApproval,
  gate: runGate,
  audit: runAudit,
  reconcile: runReconcile,
  "reconcile-apply": runReconcileApply,
};

/** Sections that only run when named (long breakdowns rather than the published figures). */
const onRequest = new Set(["mask-detectors"]);

const only = process.argv.slice(2);
for (const [name, run] of Object.entries(sections)) {
  if (only.length > 0 ? !only.includes(name) : onRequest.has(name)) continue;
  console.log(`\n== ${name} ==`);
  await run();
}
