import type { Command } from "commander";

/** Registers `countersign policy`. (Placeholder until its issue lands.) */
export function registerPolicy(program: Command): void {
  program.command("policy").description("(not implemented yet)");
}
