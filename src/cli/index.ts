#!/usr/bin/env node
import { CommanderError } from "commander";
import { buildProgram } from "./program.js";
import { EXIT } from "./exit-codes.js";

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version are "errors" to commander; they already printed what was asked.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT.usage;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`countersign: ${message}\n`);
    process.exitCode = EXIT.invalidInput;
  }
}
