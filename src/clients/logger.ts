import { pino } from "pino";
import type { Logger, LevelWithSilent } from "pino";

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

/** Builds the process logger: JSON lines on stdout (or `destination`), credentials redacted. */
export function createLogger(
  options: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
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
  };
  return options.destination === undefined
    ? pino(config)
    : pino(config, options.destination as unknown as pino.DestinationStream);
}
