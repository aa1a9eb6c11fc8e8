/**
 * The gate's HTTP server: Probot's webhook middleware (signature verification) with the gate app
 * loaded, and /healthz, /readyz and /metrics beside the webhook path. A plain node:http server
 * rather than Probot's Server, which treats PORT=0 as 3000 and serves pages the gate does not need.
 */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Probot } from "probot";
import type { Logger } from "pino";
import { gitHubAppSettings } from "../clients/config.js";
import type { EnvConfig } from "../clients/config.js";
import { buildOctokitClass } from "../clients/github.js";
import { createLogger } from "../clients/logger.js";
import { describeError } from "../core/error-text.js";
import { createMasker } from "../core/mask/masker.js";
import { createGateApp } from "./app.js";
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from "./shutdown.js";
import { createDefaultEngine } from "../policy-engine/engine.js";
import type { GateEngine } from "../policy-engine/engine.js";
import { createGateMetrics } from "./metrics.js";
import { createGateRuntime } from "./runtime.js";
import type { GateRuntime } from "./runtime.js";

/** Everything `countersign gate` needs; built from the environment and flags by `gateConfig`. */
export interface GateConfig {
  appId: number;
  /** PEM text of the app's private key. */
  privateKey: string;
  webhookSecret: string;
  port: number;
  host: string;
  logLevel: string;
  /** API base URL (GitHub Enterprise Server or any GitHub-compatible API); undefined = api.github.com. */
  baseUrl?: string;
  webhookPath: string;
  /** HMAC key for secret fingerprints in reports (COUNTERSIGN_FINGERPRINT_KEY); random per process when absent. */
  fingerprintKey?: string;
}

/** The variables `gateConfig` reads: the environment read once (readConfig), flags merged over it. */
export type GateConfigInput = EnvConfig;

/** Validates the configuration; every message names the variable, never its value when secret. */
export function gateConfig(input: GateConfigInput): GateConfig {
  const app = gitHubAppSettings(input);
  const webhookSecret = input.WEBHOOK_SECRET ?? "";
  // Probot would fall back to "development": a guessable secret accepts forged webhooks.
  if (webhookSecret.length < 16) throw new Error("WEBHOOK_SECRET is required (at least 16 characters)");
  const port = Number(input.PORT ?? "3000");
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`PORT must be 0-65535, got ${input.PORT}`);
  const config: GateConfig = {
    ...app,
    webhookSecret,
    port,
    host: input.HOST ?? "0.0.0.0",
    logLevel: input.LOG_LEVEL ?? "info",
    webhookPath: input.WEBHOOK_PATH ?? "/api/github/webhooks",
  };
  if (input.COUNTERSIGN_FINGERPRINT_KEY !== undefined) {
    config.fingerprintKey = input.COUNTERSIGN_FINGERPRINT_KEY;
  }
  return config;
}

/** /healthz (alive), /readyz (listening), /metrics (Prometheus). Other paths fall through. */
export function operationalRoutes(runtime: GateRuntime, isReady: () => boolean) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET") return false;
    const path = (req.url ?? "").split("?")[0];
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return true;
    }
    if (path === "/readyz") {
      const ready = isReady();
      res
        .writeHead(ready ? 200 : 503, { "content-type": "text/plain" })
        .end(ready ? "ready\n" : "starting\n");
      return true;
    }
    if (path === "/metrics") {
      const body = await runtime.metrics.registry.metrics();
      res.writeHead(200, { "content-type": runtime.metrics.registry.contentType }).end(body);
      return true;
    }
    return false;
  };
}

export interface StartedGate {
  port: number;
  runtime: GateRuntime;
  /**
   * Stops accepting connections, waits up to `timeoutMs` (default 20 s) for the evaluations in
   * progress, then closes what is left. Resolves true when every evaluation finished.
   */
  stop(options?: { timeoutMs?: number }): Promise<boolean>;
}

export { DEFAULT_SHUTDOWN_TIMEOUT_MS };

export interface StartGateOptions {
  engine?: GateEngine;
  log?: Logger;
  /** No retries or throttling (tests, benchmarks). */
  testing?: boolean;
}

/** Starts the gate's server; resolves once it listens. */
export async function startGate(config: GateConfig, options: StartGateOptions = {}): Promise<StartedGate> {
  // Log lines are masked with the deployment's key, so their fingerprints match the reports'.
  const log =
    options.log ??
    createLogger({
      level: config.logLevel,
      masker: createMasker(
        config.fingerprintKey === undefined ? {} : { fingerprintKey: config.fingerprintKey },
      ),
    });
  const metrics = createGateMetrics({ defaultMetrics: options.testing !== true });
  const runtime = createGateRuntime({
    engine:
      options.engine ??
      createDefaultEngine(
        config.fingerprintKey === undefined ? {} : { fingerprintKey: config.fingerprintKey },
      ),
    appId: config.appId,
    metrics,
  });
  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    Octokit: buildOctokitClass({ metrics, testing: options.testing === true }),
    log,
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
  });
  await probot.load(createGateApp(runtime));
  // Compile the default pack now: the first webhook should not pay for it (and a broken pack shows at start).
  try {
    await runtime.engine.compilePolicy(undefined);
  } catch (error) {
    log.error({ error: describeError(error) }, "the default policy pack does not compile");
  }
  // Probot's middleware verifies the signature (X-Hub-Signature-256) before any handler runs.
  const webhooks = await probot.getNodeMiddleware({ log, path: config.webhookPath });
  let ready = false;
  const routes = operationalRoutes(runtime, () => ready);
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (await routes(req, res)) return;
        if (await webhooks(req, res)) return;
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      } catch (error) {
        log.error({ error: describeError(error) }, "request failed");
        if (!res.headersSent) res.writeHead(500).end();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(new Error(`listening on ${config.host}:${config.port}`, { cause: error })),
    );
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, host: config.host, webhookPath: config.webhookPath }, "countersign gate listening");
  ready = true;
  return {
    port,
    runtime,
    stop: async ({ timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS } = {}) => {
      ready = false;
      // No new connections; idle keep-alive ones are closed, busy ones finish their request.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const pending = runtime.inFlight.size;
      if (pending > 0)
        log.info({ evaluations: pending, timeoutMs }, "stopping: finishing evaluations in progress");
      const drained = await runtime.inFlight.drain(timeoutMs);
      if (!drained) {
        log.warn(
          { evaluations: runtime.inFlight.size, timeoutMs },
          "stopping: evaluations still in progress were abandoned (their PRs keep their previous check run)",
        );
      }
      // Let finished evaluations write their answers (the middleware answers after the handler),
      // briefly, then close whatever connection is left.
      const answered = await Promise.race([
        closed.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), drained ? 2_000 : 0).unref()),
      ]);
      if (!answered) server.closeAllConnections();
      await closed;
      return drained;
    },
  };
}
