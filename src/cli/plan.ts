import type { Command } from "commander";

/** Registers `countersign plan`. (Placeholder until its issue lands.) */
export function registerPlan(program: Command): void {
  program.command("plan").description("(not implemented yet)");
}
