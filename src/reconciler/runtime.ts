/**
 * Builds a running reconciler from its configuration: the GitHub App client (production retries
 * and throttling), the revision reader, the approval verifier, the reporter, the Kubernetes client
 * and its ports, the audit log, the masker, the logger and the metrics. The one place the command
 * wires clients; tests call it with the fake GitHub and the fake API server behind the same config.
 */
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Registry } from "prom-client";
import type { Logger } from "pino";
import { AuditLog } from "../audit/audit-log.js";
import { openAuditStore, storeOptionsFromEnv } from "../audit/store-url.js";
import { readConfig } from "../clients/config.js";
import { createClients } from "../clients/create-clients.js";
import { createLogger } from "../clients/logger.js";
import { describeError } from "../core/error-text.js";
import { createMasker } from "../core/mask/masker.js";
import { systemClock } from "../core/ports/clock.js";
import { createGitHubCaches } from "../github/github-caches.js";
import { OctokitApplyReporter } from "../github/octokit-apply-reporter.js";
import { OctokitApprovalEvidence } from "../github/octokit-approval-evidence.js";
import { OctokitPullRequestSource } from "../github/octokit-pull-request-source.js";
import { OctokitRevisionReader } from "../github/octokit-revision-reader.js";
import type { KubeAccess } from "../kube/client.js";
import { createClusterAccess } from "../kube/cluster-access.js";
import { createDefaultEngine } from "../policy-engine/engine.js";
import type { ReconcilerConfig } from "./config.js";
import { createReconcilerMetrics } from "./metrics.js";
import type { ReconcilerMetrics } from "./metrics.js";
import type { ReconcilerDeps } from "./reconciler.js";
import type { ReconcilerSecrets } from "./secrets.js";
import { VerifiedPullApprovals } from "./verified-approvals.js";

export interface RuntimeOptions {
  config: ReconcilerConfig;
  secrets: ReconcilerSecrets;
  env?: NodeJS.ProcessEnv;
  /** `--kubeconfig`: overrides `kubernetes.mode` (development). */
  kubeconfig?: string;
  /** Where logs go (default stdout). */
  logDestination?: NodeJS.WritableStream;
}

export interface Runtime {
  deps: ReconcilerDeps;
  metrics: ReconcilerMetrics;
  logger: Logger;
  audit: AuditLog;
  /** Closes idle connections (after the lease was released). */
  close(): void;
}

/** The reconciler's identity in audit records: the pod (or host) and its service account namespace. */
function actorOf(env: NodeJS.ProcessEnv): string {
  const pod = env["POD_NAME"] ?? hostname();
  const namespace = env["POD_NAMESPACE"];
  return namespace ? `countersign-reconciler ${namespace}/${pod}` : `countersign-reconciler ${pod}`;
}

/** Who runs `--adopt`: the `--operator` flag, else the OS user. */
export function defaultOperator(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return env["USER"] ?? userInfo().username;
  } catch {
    return "unknown";
  }
}

function accessOf(options: RuntimeOptions): KubeAccess {
  if (options.kubeconfig !== undefined) return { mode: "kubeconfig", kubeconfig: options.kubeconfig };
  return options.config.kubernetes;
}

export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, secrets } = options;
  const env = options.env ?? process.env;
  const registry = new Registry();
  const masker = createMasker({ fingerprintKey: secrets.fingerprintKey });
  const logger = createLogger({
    level: config.logLevel,
    name: "countersign-reconciler",
    masker,
    ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
  });
  const repo = config.repository;
  // The one place clients are built (src/clients): the App id and API URL come from the file.
  const clients = createClients(
    {
      ...readConfig(env),
      APP_ID: String(config.github.appId),
      PRIVATE_KEY: secrets.privateKey,
      ...(config.github.apiUrl === undefined ? {} : { GITHUB_API_URL: config.github.apiUrl }),
    },
    { log: logger.child({ component: "github" }), registry },
  );
  const octokit = await clients.gitHubApp(
    config.github.installationId === undefined
      ? { repository: repo }
      : { installationId: config.github.installationId },
  );
  const caches = createGitHubCaches();
  const pullSource = new OctokitPullRequestSource(octokit, caches);
  const ownNamespace = config.inventory.namespace;
  const cluster = createClusterAccess({
    access: accessOf(options),
    inventory: { namespace: ownNamespace, name: config.inventory.name, cluster: config.cluster },
    ...(config.leaderElection.enabled
      ? {
          lease: {
            namespace: config.leaderElection.namespace,
            name: config.leaderElection.leaseName,
            identity: env["POD_NAME"] ?? `${hostname()}-${process.pid}`,
            leaseDurationSeconds: config.leaderElection.leaseDurationSeconds,
          },
        }
      : {}),
  });
  const lease = cluster.lease;
  const store = openAuditStore(config.audit.store, storeOptionsFromEnv(env));
  const audit = new AuditLog({
    store,
    cluster: config.cluster,
    actor: actorOf(env),
    masker,
    spool: join(config.audit.spool, config.cluster),
    onRetryError: (error) =>
      logger.warn({ error: masker.maskText(describeError(error)) }, "audit spool retry"),
  });
  const log = logger.child({ cluster: config.cluster });
  const deps: ReconcilerDeps = {
    settings: {
      cluster: config.cluster,
      repo,
      branch: config.branch,
      paths: config.paths,
      scope: { ownNamespace, namespaces: config.manage.namespaces, kinds: config.manage.kinds },
      concurrency: config.apply.concurrency,
      crdEstablishedTimeoutMs: config.apply.crdEstablishedTimeoutSeconds * 1000,
      historyLimit: config.historyLimit,
      secretDigestKey: secrets.fingerprintKey,
    },
    reader: new OctokitRevisionReader(octokit, caches),
    approvals: new VerifiedPullApprovals({
      evidence: new OctokitApprovalEvidence(octokit, caches, config.github.appId),
      appId: config.github.appId,
      defaultBranch: (r) => ({
        readFile: (path) => pullSource.readFileAtDefaultBranch(r, path),
        readPolicyFiles: (path) => pullSource.readFilesAtDefaultBranch(r, path),
      }),
      engine: createDefaultEngine({ fingerprintKey: secrets.fingerprintKey }),
    }),
    reporter: new OctokitApplyReporter(octokit, config.github.appId),
    applier: cluster.applier,
    inventory: cluster.inventory,
    ...(lease === undefined ? {} : { lease }),
    audit,
    masker,
    log: {
      info: (obj, msg) => log.info(obj, msg),
      warn: (obj, msg) => log.warn(obj, msg),
      error: (obj, msg) => log.error(obj, msg),
    },
    clock: systemClock,
    now: () => performance.now(),
  };
  return { deps, metrics: createReconcilerMetrics(registry), logger, audit, close: () => cluster.close() };
}
