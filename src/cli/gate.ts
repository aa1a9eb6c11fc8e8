import type { Command } from "commander";
import { readConfig } from "../clients/config.js";
import type { EnvConfig } from "../clients/config.js";
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from "../gate/shutdown.js";
import type { GateConfigInput } from "../gate/server.js";

const ENV_HELP = `
Environment (flags win over the environment):
  APP_ID             the GitHub App's numeric id                               (--app-id)
  PRIVATE_KEY        the App's private key: PEM, PEM with \\n, or base64 of PEM
  PRIVATE_KEY_PATH   path of the App's .pem private key                        (--private-key-path)
  WEBHOOK_SECRET     the App's webhook secret, at least 16 characters (env only: never on a command line)
  PORT               port to listen on, default 3000                           (--port)
  HOST               address to listen on, default 0.0.0.0                     (--host)
  LOG_LEVEL          trace|debug|info|warn|error|fatal|silent, default info    (--log-level)
  GHE_HOST           GitHub Enterprise Server host name, e.g. github.example.com (--ghe-host)
  GHE_PROTOCOL       https (default) or http                                   (--ghe-protocol)
  WEBHOOK_PATH       webhook path, default /api/github/webhooks                 (--webhook-path)
  COUNTERSIGN_FINGERPRINT_KEY  HMAC key for secret fingerprints in reports (env only; random per process if unset)
  SHUTDOWN_TIMEOUT_SECONDS     on SIGTERM/SIGINT, how long to finish evaluations in progress, default 20

On SIGTERM or SIGINT the gate stops accepting connections, finishes the evaluations in progress
(up to SHUTDOWN_TIMEOUT_SECONDS) and exits 0.

Endpoints: POST <WEBHOOK_PATH> (signature verified), GET /healthz, GET /readyz, GET /metrics.
See docs/gate.md for the app manifest (app.yml) and the permissions it needs.`;

interface GateFlags {
  appId?: string;
  privateKeyPath?: string;
  port?: string;
  host?: string;
  logLevel?: string;
  gheHost?: string;
  gheProtocol?: string;
  webhookPath?: string;
}

/** Merges flags over the environment read once (flags win). */
export function gateInput(env: EnvConfig, flags: GateFlags): GateConfigInput {
  const input: { -readonly [K in keyof GateConfigInput]: GateConfigInput[K] } = { ...env };
  const set = (key: keyof GateConfigInput, value: string | undefined): void => {
    if (value !== undefined) input[key] = value;
  };
  // A key file given on the command line wins over a key in the environment.
  if (flags.privateKeyPath !== undefined) delete input.PRIVATE_KEY;
  set("APP_ID", flags.appId);
  set("PRIVATE_KEY_PATH", flags.privateKeyPath);
  set("PORT", flags.port);
  set("HOST", flags.host);
  set("LOG_LEVEL", flags.logLevel);
  set("GHE_HOST", flags.gheHost);
  set("GHE_PROTOCOL", flags.gheProtocol);
  set("WEBHOOK_PATH", flags.webhookPath);
  return input;
}

/** SHUTDOWN_TIMEOUT_SECONDS as milliseconds (default 20 s). */
export function shutdownTimeoutMs(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new Error(`SHUTDOWN_TIMEOUT_SECONDS must be a number of seconds from 0 to 3600, got "${value}"`);
  }
  return Math.round(seconds * 1000);
}

/** Registers `countersign gate`: runs the GitHub App (Probot server) until stopped. */
export function registerGate(program: Command): void {
  program
    .command("gate")
    .description(
      "Run the gate: the GitHub App that classifies pull requests and holds them until the right people approve.",
    )
    .option("--app-id <id>", "GitHub App id (APP_ID)")
    .option("--private-key-path <file>", "GitHub App private key file (PRIVATE_KEY_PATH)")
    .option("--port <port>", "port to listen on (PORT)")
    .option("--host <address>", "address to listen on (HOST)")
    .option("--log-level <level>", "log level (LOG_LEVEL)")
    .option("--ghe-host <host>", "GitHub Enterprise Server host (GHE_HOST)")
    .option("--ghe-protocol <protocol>", "GitHub Enterprise Server protocol (GHE_PROTOCOL)")
    .option("--webhook-path <path>", "webhook path (WEBHOOK_PATH)")
    .addHelpText("after", ENV_HELP)
    .action(async (flags: GateFlags) => {
      // Loaded here, not at start-up: Probot and its clients are only the gate's to carry.
      const { gateConfig, startGate } = await import("../gate/server.js");
      const env = readConfig(process.env);
      const config = gateConfig(gateInput(env, flags));
      const timeoutMs = shutdownTimeoutMs(env.SHUTDOWN_TIMEOUT_SECONDS);
      const gate = await startGate(config);
      let stopping = false;
      const stop = (): void => {
        // A second signal while draining changes nothing: the bound already applies.
        if (stopping) return;
        stopping = true;
        void gate.stop({ timeoutMs }).finally(() => process.exit(0));
      };
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    });
}
