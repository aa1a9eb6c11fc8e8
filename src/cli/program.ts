import { Command } from "commander";
import { registerAudit } from "./audit.js";
import { registerGate } from "./gate.js";
import { registerPlan } from "./plan.js";
import { registerPolicy } from "./policy.js";
import { registerReconcile } from "./reconcile.js";

/** The `countersign` command line; every subcommand registers itself from its own file. */
export function buildProgram(): Command {
  const program = new Command("countersign")
    .description(
      "GitOps pull-request approval controller for Kubernetes: nothing reaches a cluster unless a human approved exactly that content.",
    )
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");
  registerPlan(program);
  registerPolicy(program);
  registerGate(program);
  registerAudit(program);
  registerReconcile(program);
  return program;
}
