import type { Command } from "commander";

/** Registers `countersign gate`. (Placeholder until its issue lands.) */
export function registerGate(program: Command): void {
  program.command("gate").description("(not implemented yet)");
}
