import { pino } from "pino";
import type { Logger, LevelWithSilent } from "pino";
import { createMasker } from "../core/mask/masker.js";
import type { Masker } from "../core/mask/types.js";
import { maskingLogMethod } from "./log-masking.js";

/** Paths pino replaces before a line is written: credentials must never reach a log. */
export const REDACTED_PATHS = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
  "request.headers.authorization",
  "token",
  "*.token",
  "privateKey",
  "*.privateKey",
  "private_key",
  "*.private_key",
  "secret",
  "*.secret",
  "webhookSecret",
  "*.webhookSecret",
  "password",
  "*.password",
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
];

export const LOG_LEVELS: readonly LevelWithSilent[] = [
  "trace",
  "debug",
  "info",
  "warn",
  "error",
  "fatal",
  "silent",
];

export interface LoggerOptions {
  level?: string;
  name?: string;
  destination?: NodeJS.WritableStream;
  /**
   * Masks every line (message and fields) before it is written; the process's masker, so log
   * fingerprints match the reports'. Without one, a masker with a random key: never unmasked.
   */
  masker?: Masker;
}

/**
 * Builds the process logger: JSON lines on stdout (or `destination`), every message and field
 * masked (src/clients/log-masking.ts), and credential-named fields redacted.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = (options.level ?? "info") as LevelWithSilent;
  if (!LOG_LEVELS.includes(level)) {
    throw new Error(
      `creating the logger: unknown log level "${options.level}" (use one of ${LOG_LEVELS.join(", ")})`,
    );
  }
  const config = {
    name: options.name ?? "countersign",
    level,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    // Children (Probot's, Octokit's, per-delivery loggers) inherit the hook.
    hooks: { logMethod: maskingLogMethod(options.masker ?? createMasker()) },
    // The hook already turned errors into masked plain objects (type, message, stack, cause).
    serializers: { err: (value: unknown) => value },
  };
  return options.destination === undefined
    ? pino(config)
    : pino(config, options.destination as unknown as pino.DestinationStream);
}
