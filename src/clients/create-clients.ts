/**
 * Builds every client a command needs from the environment read once (readConfig): the logger,
 * the clock, metrics, GitHub App clients and the S3 client of the audit store. Commands call this
 * once and hand the clients down; tests hand in fakes or point clients at nock instead.
 */
import type { Logger } from "pino";
import { Registry } from "prom-client";
import { createMasker } from "../core/mask/masker.js";
import { systemClock } from "../core/ports/clock.js";
import type { Clock } from "../core/ports/clock.js";
import { gitHubAppSettings } from "./config.js";
import type { EnvConfig } from "./config.js";
import { buildOctokitClass, createGitHubAppClient } from "./github.js";
import type { GitHubClient } from "./github.js";
import { createLogger } from "./logger.js";
import { createGitHubClientMetrics } from "./metrics.js";
import type { GitHubClientMetrics } from "./metrics.js";
import { createS3Client } from "./s3.js";
import type { S3ClientOptions } from "./s3.js";
import type { S3Client } from "@aws-sdk/client-s3";

export interface Clients {
  log: Logger;
  clock: Clock;
  /** Prometheus registry the clients' metrics are on (serve it, or ignore it). */
  registry: Registry;
  githubMetrics: GitHubClientMetrics;
  /**
   * A GitHub App client with production retries and throttling, as an installation (by id, or
   * the one holding `repository`) or as the App. Every client shares one write pacer.
   */
  gitHubApp(target?: {
    installationId?: number;
    repository?: { owner: string; repo: string };
  }): Promise<GitHubClient>;
  /** The audit store's S3 client (region from AWS_REGION unless given). */
  s3(options?: S3ClientOptions): S3Client;
}

export interface CreateClientsOptions {
  /** Logger name (the command). */
  name?: string;
  log?: Logger;
  registry?: Registry;
  clock?: Clock;
}

export function createClients(config: EnvConfig, options: CreateClientsOptions = {}): Clients {
  const log =
    options.log ??
    createLogger({
      level: config.LOG_LEVEL ?? "info",
      ...(config.COUNTERSIGN_FINGERPRINT_KEY === undefined
        ? {}
        : { masker: createMasker({ fingerprintKey: config.COUNTERSIGN_FINGERPRINT_KEY }) }),
      ...(options.name === undefined ? {} : { name: options.name }),
    });
  const registry = options.registry ?? new Registry();
  const githubMetrics = createGitHubClientMetrics(registry);
  let Octokit: ReturnType<typeof buildOctokitClass> | undefined;
  return {
    log,
    clock: options.clock ?? systemClock,
    registry,
    githubMetrics,
    gitHubApp: async (target = {}) => {
      // Validated on first use: a command that never talks to GitHub needs no App key.
      const app = gitHubAppSettings(config);
      Octokit ??= buildOctokitClass({ metrics: githubMetrics });
      return createGitHubAppClient({ ...app, ...target, log, Octokit });
    },
    s3: (s3Options = {}) =>
      createS3Client({
        ...(config.AWS_REGION === undefined ? {} : { region: config.AWS_REGION }),
        ...s3Options,
      }),
  };
}
