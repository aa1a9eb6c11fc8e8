/**
 * The one place GitHub clients are built, inside Probot (the gate's webhook handlers) and outside
 * it (the reconciler, the CLI). Production keeps Probot's retry and throttling plugins, with two
 * corrections to their request pattern:
 *
 * - GraphQL queries are reads. The throttling plugin counts every POST, GraphQL included, in its
 *   write group; queries go through a sibling client whose write group never waits, so a batch of
 *   blob reads is not spaced a second apart behind the check run. Mutations stay paced.
 * - Writes are paced per installation by a token bucket (src/clients/write-pacer.ts): a short
 *   burst at once, then one a second, instead of one a second always (and new comments, which
 *   notify people, a burst then one every 3 s instead of 3 s always).
 */
import { Probot, ProbotOctokit } from "probot";
import type { Logger } from "pino";
import { createLogger } from "./logger.js";
import { toGitHubApiError } from "./github-error.js";
import type { GitHubClientMetrics } from "./metrics.js";
import { createWritePacer, UNPACED } from "./write-pacer.js";
import type { PacedGroup } from "./write-pacer.js";

/** Octokit as Probot hands it to handlers. */
export type GitHubClient = ProbotOctokit;

export interface GitHubClientOptions {
  /** Counts every request by route and tracks the rate limit. */
  metrics?: GitHubClientMetrics;
  /** Tests: no retries, no throttling (or every write in a test waits for the throttler). */
  testing?: boolean;
  /** Write pacing (production); defaults to a burst of 8, then one write a second per installation. */
  writes?: PacedGroup;
  /**
   * Pacing of writes that notify people (new comments); defaults to a burst of 4, then one every
   * 3 s per installation: the plugin's own pace, without making the first comments wait.
   */
  notifications?: PacedGroup;
}

type OctokitClass = typeof ProbotOctokit;

interface EndpointOptions {
  method?: string;
  url?: string;
  query?: unknown;
  request?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Marks the sibling client that serves GraphQL reads, so it does not route them again. */
const GRAPHQL_READER = "countersignGraphqlReader";

/**
 * Statuses a GraphQL read is not retried on: 4xx say the request or the endpoint is wrong, and 501
 * says the server has no GraphQL (GitHub Enterprise with it turned off, a proxy). Retrying them
 * cost 14 s per evaluation before the REST fallback (1 + 4 + 9 s of backoff).
 */
export const GRAPHQL_NO_RETRY = [400, 401, 403, 404, 405, 410, 422, 451, 501];

/** True for a GraphQL document with no mutation or subscription (a field so named counts too: safe side). */
export function isGraphqlRead(document: string): boolean {
  const code = document
    .replace(/"""[\s\S]*?"""/g, " ")
    .replace(/"(?:[^"\\\n]|\\.)*"/g, " ")
    .replace(/#[^\n]*/g, " ");
  return !/\b(mutation|subscription)\b/.test(code);
}

function isGraphqlRequest(options: EndpointOptions): boolean {
  if ((options.method ?? "GET").toUpperCase() !== "POST") return false;
  const path = new URL(options.url ?? "", "http://github.invalid").pathname;
  return /(^|\/)graphql$/.test(path);
}

/** Sends GraphQL queries through a sibling client whose write group never waits (see the file comment). */
function graphqlReadsAsReads(octokit: InstanceType<OctokitClass>, options: Record<string, unknown>) {
  const throttle = options.throttle as { enabled?: boolean } | undefined;
  if (throttle?.enabled === false || options[GRAPHQL_READER] === true) return {};
  let reader: InstanceType<OctokitClass> | undefined;
  octokit.hook.wrap("request", async (request, endpoint) => {
    const e = endpoint as unknown as EndpointOptions;
    if (!isGraphqlRequest(e) || typeof e.query !== "string" || !isGraphqlRead(e.query)) {
      return request(endpoint);
    }
    const Octokit = octokit.constructor as OctokitClass;
    // Same options (so the same installation token from the shared cache), reads unpaced.
    reader ??= new Octokit({
      ...options,
      [GRAPHQL_READER]: true,
      throttle: { ...(options.throttle as object), write: UNPACED },
      retry: { ...(options.retry as object), doNotRetry: GRAPHQL_NO_RETRY, retries: 1 },
    });
    // The request hook of this client must not come along, or the read would loop back here.
    const { request: requestOptions, ...rest } = e;
    const { hook: _hook, ...ownRequestOptions } = requestOptions ?? {};
    void _hook;
    return reader.request({ ...rest, request: ownRequestOptions } as never);
  });
  return {};
}

interface HookOptions {
  method?: string;
  url?: string;
}

function countRequests(metrics: GitHubClientMetrics) {
  return (octokit: InstanceType<OctokitClass>) => {
    const record = (request: HookOptions, status: string, remaining: unknown): void => {
      // The route template (`/repos/{owner}/{repo}/git/blobs/{file_sha}`) keeps label cardinality bounded.
      metrics.githubRequests.inc({
        method: request.method ?? "GET",
        route: (request.url ?? "unknown").split("?")[0] ?? "unknown",
        status,
      });
      const left = Number(remaining);
      if (remaining !== undefined && Number.isFinite(left)) metrics.rateLimitRemaining.set(left);
    };
    octokit.hook.after("request", (response, request) => {
      record(request as HookOptions, String(response.status), response.headers["x-ratelimit-remaining"]);
    });
    octokit.hook.error("request", (error, request) => {
      const e = error as { status?: number; response?: { headers?: Record<string, unknown> } };
      record(
        request as HookOptions,
        String(e.status ?? "error"),
        e.response?.headers?.["x-ratelimit-remaining"],
      );
      throw error;
    });
  };
}

/** Every failed request leaves the client as a GitHubApiError (status, request, original cause). */
function wrapErrors(octokit: InstanceType<OctokitClass>) {
  octokit.hook.error("request", (error, request) => {
    throw toGitHubApiError(error, request as HookOptions);
  });
}

/**
 * The GitHub client class, for Probot (`new Probot({ Octokit })`) and for clients built here.
 * Production: Probot's retries and throttling, GraphQL reads unpaced, writes paced per
 * installation. `testing` turns retries and throttling off.
 */
export function buildOctokitClass(options: GitHubClientOptions = {}): OctokitClass {
  const { metrics } = options;
  let Octokit: OctokitClass = ProbotOctokit;
  if (metrics !== undefined)
    Octokit = Octokit.plugin(countRequests(metrics) as never) as unknown as OctokitClass;
  Octokit = Octokit.plugin(wrapErrors as never) as unknown as OctokitClass;
  if (options.testing === true) {
    return Octokit.defaults((o: object) => ({
      ...o,
      retry: { enabled: false },
      throttle: { enabled: false },
    })) as unknown as OctokitClass;
  }
  // One pacer per class: every client of the process shares it, one bucket per installation.
  const writes = options.writes ?? createWritePacer();
  const notifications = options.notifications ?? createWritePacer({ burst: 4, intervalMs: 3_000 });
  Octokit = Octokit.plugin(graphqlReadsAsReads as never) as unknown as OctokitClass;
  return Octokit.defaults((o: { throttle?: Record<string, unknown> }) => {
    if (o.throttle?.enabled === false) return o;
    return {
      ...o,
      throttle: {
        ...o.throttle,
        write: o.throttle?.write ?? writes,
        notifications: o.throttle?.notifications ?? notifications,
      },
    };
  }) as unknown as OctokitClass;
}

export interface GitHubAppClientOptions {
  appId: number;
  /** PEM text of the App's private key. */
  privateKey: string;
  /** Authenticate as this installation; without it (and without `repository`), as the App itself. */
  installationId?: number;
  /** Find the installation that holds this repository (when `installationId` is not known). */
  repository?: { owner: string; repo: string };
  /** API base URL (GitHub Enterprise Server); undefined = api.github.com. */
  baseUrl?: string;
  log?: Logger;
  metrics?: GitHubClientMetrics;
  /** Tests: no retries, no throttling. */
  testing?: boolean;
  /** Class to build from (share one across clients so they share the write pacer). */
  Octokit?: OctokitClass;
}

/**
 * A GitHub App client outside Probot's webhook handling (the reconciler, the CLI): the same class,
 * authentication, throttling and retries as the gate's, authenticated as an installation (by id,
 * or the one holding `repository`) or as the App.
 */
export async function createGitHubAppClient(options: GitHubAppClientOptions): Promise<GitHubClient> {
  const Octokit =
    options.Octokit ??
    buildOctokitClass({
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
      testing: options.testing === true,
    });
  const probot = new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    Octokit,
    log: options.log ?? createLogger({ level: "warn" }),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
  });
  let installationId = options.installationId;
  if (installationId === undefined && options.repository !== undefined) {
    const { owner, repo } = options.repository;
    const app = await probot.auth();
    try {
      const { data } = await app.request("GET /repos/{owner}/{repo}/installation", { owner, repo });
      installationId = data.id;
    } catch (cause) {
      throw new Error(
        `finding the GitHub App installation of ${owner}/${repo} (is the App installed there?)`,
        {
          cause,
        },
      );
    }
  }
  return probot.auth(installationId);
}
