/** The production logger (src/clients/logger.ts) writing into memory, for the leak check to read. */
import { Writable } from "node:stream";
import type { Logger } from "pino";
import { createLogger } from "../../src/clients/logger.js";
import type { Masker } from "../../src/core/mask/types.js";
import type { ReconcilerLog } from "../../src/reconciler/ports.js";

export interface CapturedLog {
  logger: Logger;
  /** Everything written so far, one JSON line per entry. */
  text(): string;
}

export function captureLog(masker: Masker, name?: string): CapturedLog {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: "info", destination, masker, ...(name ? { name } : {}) });
  return { logger, text: () => chunks.join("") };
}

/** The reconciler's log port over a pino logger, as src/reconciler/runtime.ts builds it. */
export function reconcilerLog(logger: Logger): ReconcilerLog {
  return {
    info: (obj, msg) => logger.info(obj, msg),
    warn: (obj, msg) => logger.warn(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
  };
}
