/**
 * `countersign reconcile`: the in-cluster reconciler (docs/reconciler.md). A daemon by default;
 * `--once` runs one pass and exits with its outcome; `--adopt` records a baseline.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { CLI_ERROR_CHARS, describeError } from "../core/error-text.js";
import { adoptBaseline } from "../reconciler/adopt.js";
import { parseReconcilerConfig, ReconcilerConfigError } from "../reconciler/config.js";
import type { ReconcilerConfig } from "../reconciler/config.js";
import { ReconcilerDaemon } from "../reconciler/daemon.js";
import { recordPass } from "../reconciler/metrics.js";
import { newPassState, runPass } from "../reconciler/pass.js";
import type { PassOutcome } from "../reconciler/pass.js";
import type { Runtime } from "../reconciler/runtime.js";
import { readReconcilerSecrets } from "../reconciler/secrets.js";
import type { ReconcilerSecrets } from "../reconciler/secrets.js";
import { EXIT } from "./exit-codes.js";

const HELP = `
Exit codes (--once, --adopt): 0 applied or nothing to do; 3 refused (unapproved content);
4 failed (GitHub, cluster or audit store unreachable, apply error); 1 invalid config; 2 usage.

Environment (secrets never go in the file or on the command line):
  PRIVATE_KEY / PRIVATE_KEY_PATH     the GitHub App's private key (as the gate's)
  COUNTERSIGN_FINGERPRINT_KEY / _PATH  the deployment's HMAC key: the SAME key as the gate's
  POD_NAMESPACE, POD_NAME            default namespace for the lease and inventory; this replica's identity
  AWS credential chain               EKS mode and s3:// audit stores

Endpoints (daemon): GET /healthz, GET /readyz (holds the lease, last pass did not crash), GET /metrics.
See docs/reconciler.md for the configuration file and the RBAC it needs.`;

export interface ReconcileFlags {
  config: string;
  once?: boolean;
  adopt?: string;
  reason?: string;
  operator?: string;
  kubeconfig?: string;
}

export interface ReconcileIo {
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
  stdout: NodeJS.WritableStream;
  /** Daemon mode: resolves when the process should stop (SIGTERM/SIGINT in the CLI). */
  stopSignal?: Promise<void>;
}

const EXIT_OF: Record<PassOutcome, number> = {
  idle: EXIT.ok,
  nothing: EXIT.ok,
  applied: EXIT.ok,
  refused: EXIT.refused,
  failed: EXIT.failed,
};

async function loadConfig(flags: ReconcileFlags, io: ReconcileIo): Promise<ReconcilerConfig> {
  let text: string;
  try {
    text = await readFile(flags.config, "utf8");
  } catch (cause) {
    throw new ReconcilerConfigError(flags.config, [
      { field: "", message: `cannot be read (${describeError(cause)})` },
    ]);
  }
  return parseReconcilerConfig(text, flags.config, io.env);
}

/** Runs the command; returns the exit code. */
export async function runReconcile(flags: ReconcileFlags, io: ReconcileIo): Promise<number> {
  const fail = (code: number, message: string): number => {
    io.stderr.write(`countersign reconcile: ${message}\n`);
    return code;
  };
  if (flags.adopt !== undefined && (flags.reason === undefined || flags.reason.trim() === "")) {
    return fail(EXIT.usage, "--adopt needs --reason <text> (recorded in the audit log)");
  }
  if (flags.adopt !== undefined && flags.once === true)
    return fail(EXIT.usage, "--adopt and --once do not go together");
  let config: ReconcilerConfig;
  let secrets: ReconcilerSecrets;
  try {
    config = await loadConfig(flags, io);
    secrets = readReconcilerSecrets(io.env);
  } catch (error) {
    return fail(EXIT.invalidInput, describeError(error, CLI_ERROR_CHARS));
  }
  let runtime: Runtime;
  try {
    // Loaded here, not at start-up: the cluster clients (@kubernetes/client-node, the AWS SDK)
    // take ~90 MB, which every other command (`audit verify`, `plan`) would otherwise carry.
    const { createRuntime } = await import("../reconciler/runtime.js");
    runtime = await createRuntime({
      config,
      secrets,
      env: io.env,
      logDestination: io.stdout,
      ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
    });
  } catch (error) {
    return fail(EXIT.failed, `starting: ${describeError(error, CLI_ERROR_CHARS)}`);
  }
  const { deps, audit } = runtime;
  try {
    if (flags.adopt !== undefined) return await adopt(runtime, flags, io);
    if (flags.once === true) return await once(runtime, io);
    return await daemon(runtime, config, io);
  } finally {
    audit.close();
    runtime.close();
    void deps;
  }
}

async function adopt(runtime: Runtime, flags: ReconcileFlags, io: ReconcileIo): Promise<number> {
  const operator = flags.operator ?? (await import("../reconciler/runtime.js")).defaultOperator(io.env);
  try {
    const report = await adoptBaseline(runtime.deps, {
      sha: flags.adopt as string,
      reason: flags.reason as string,
      operator,
    });
    io.stderr.write(
      `countersign reconcile: adopted ${report.sha.slice(0, 12)} as the baseline of ${runtime.deps.settings.cluster} (${report.objects} objects; by ${operator}); nothing was applied\n`,
    );
    if (report.released.length > 0) {
      io.stderr.write(
        `countersign reconcile: ${report.released.length} object(s) of the previous baseline are no longer managed\n`,
      );
    }
    return EXIT.ok;
  } catch (error) {
    io.stderr.write(
      `countersign reconcile: adopting failed, nothing changed: ${runtime.deps.masker.maskText(describeError(error, CLI_ERROR_CHARS))}\n`,
    );
    return EXIT.failed;
  }
}

async function once(runtime: Runtime, io: ReconcileIo): Promise<number> {
  const { deps, metrics } = runtime;
  try {
    await deps.audit.flushSpool();
  } catch (error) {
    // appendIntent flushes again and refuses to apply while the store is down.
    deps.log.warn(
      { error: deps.masker.maskText(describeError(error)) },
      "the audit spool could not be flushed",
    );
  }
  if (deps.lease !== undefined && !(await deps.lease.tryAcquireOrRenew().catch(() => false))) {
    io.stderr.write(
      "countersign reconcile: another replica holds the leader lease (or it cannot be read); nothing applied\n",
    );
    return EXIT.failed;
  }
  try {
    const started = deps.now();
    const report = await runPass(deps, newPassState());
    recordPass(metrics, report, (deps.now() - started) / 1000, deps.clock.now());
    io.stderr.write(
      `countersign reconcile: ${report.outcome}${report.sha ? ` at ${report.sha.slice(0, 12)}` : ""}${report.message ? `: ${report.message}` : ""}\n`,
    );
    return EXIT_OF[report.outcome];
  } finally {
    await deps.audit.flushSpool().catch(() => undefined);
    await deps.lease?.release().catch(() => undefined);
  }
}

async function daemon(runtime: Runtime, config: ReconcilerConfig, io: ReconcileIo): Promise<number> {
  const d = new ReconcilerDaemon({
    deps: runtime.deps,
    schedule: config.schedule,
    metrics: runtime.metrics,
    port: config.server.port,
    leaseRenewMs: Math.max(1_000, Math.floor((config.leaderElection.leaseDurationSeconds * 1000) / 3)),
  });
  const port = await d.start();
  runtime.deps.log.info({ port, schedule: config.schedule }, "reconciler started");
  await (io.stopSignal ?? new Promise<void>(() => undefined));
  runtime.deps.log.info(
    {},
    "stopping: finishing the pass in flight, flushing the audit spool, releasing the lease",
  );
  await d.stop();
  return EXIT.ok;
}

/** Registers `countersign reconcile`. */
export function registerReconcile(program: Command): void {
  program
    .command("reconcile")
    .description("Run the reconciler: apply to the cluster only content a human approved, byte for byte.")
    .requiredOption("--config <file>", "the reconciler's configuration file (YAML)")
    .option("--once", "run one pass and exit with its outcome")
    .option("--adopt <sha>", "record commit <sha> as the approved baseline (applies nothing)")
    .option("--reason <text>", "why the baseline is adopted (with --adopt; recorded in the audit log)")
    .option("--operator <name>", "who adopts (with --adopt; default the OS user)")
    .option("--kubeconfig <path>", "use this kubeconfig instead of kubernetes.mode (development)")
    .addHelpText("after", HELP)
    .action(async (flags: ReconcileFlags) => {
      const stopSignal = new Promise<void>((resolve) => {
        process.once("SIGTERM", () => resolve());
        process.once("SIGINT", () => resolve());
      });
      const code = await runReconcile(flags, {
        env: process.env,
        stderr: process.stderr,
        stdout: process.stdout,
        stopSignal,
      });
      // Keep-alive sockets (GitHub, the API server) must not hold the process open.
      process.exit(code);
    });
}
