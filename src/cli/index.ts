#!/usr/bin/env node
import { CommanderError } from "commander";
import { buildProgram } from "./program.js";
import { EXIT } from "./exit-codes.js";
import { CLI_ERROR_CHARS, describeError } from "../core/error-text.js";

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version are "errors" to commander; they already printed what was asked.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT.usage;
  } else {
    // The whole cause chain, in plain words and with credentials redacted: never a stack.
    process.stderr.write(`countersign: ${describeError(error, CLI_ERROR_CHARS)}\n`);
    process.exitCode = EXIT.invalidInput;
  }
}
