import type { Command } from "commander";

/** Registers `countersign audit`. (Placeholder until its issue lands.) */
export function registerAudit(program: Command): void {
  program.command("audit").description("(not implemented yet)");
}
