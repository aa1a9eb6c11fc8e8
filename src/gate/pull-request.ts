import type { Context } from "probot";
import { evaluatePullRequest } from "./evaluate.js";
import type { EvaluationOutcome, GateLog } from "./evaluate.js";
import type { GitHubClient } from "../github/octokit-pull-request-source.js";
import { gateDeps, pullKey } from "./runtime.js";
import type { GateRuntime } from "./runtime.js";

/** `pull_request` actions that can change what the PR would apply (edited only when the base changed). */
export const PULL_REQUEST_ACTIONS: ReadonlySet<string> = new Set([
  "opened",
  "synchronize",
  "reopened",
  "ready_for_review",
  "edited",
]);

export type HandlerOutcome = EvaluationOutcome | "ignored";

/** pull_request: evaluate the new head and publish the check run and the sticky comment. */
export async function handlePullRequest(
  runtime: GateRuntime,
  context: Context<"pull_request">,
): Promise<HandlerOutcome> {
  const { payload } = context;
  if (!PULL_REQUEST_ACTIONS.has(payload.action)) return "ignored";
  if (payload.action === "edited" && !("changes" in payload && payload.changes.base !== undefined))
    return "ignored";
  // The sender of a push is its pusher, whatever the commits say about their authors.
  if (payload.action === "synchronize" || payload.action === "opened") {
    const key = pullKey(payload.repository.owner.login, payload.repository.name, payload.pull_request.number);
    const sender = payload.sender?.login;
    if (sender !== undefined && sender !== "") {
      runtime.pushers.set(key, new Set([...(runtime.pushers.get(key) ?? []), sender.toLowerCase()]));
    }
  }
  // A push names the head it replaced: that orders the two even within one second.
  const previousHead = payload.action === "synchronize" ? payload.before : undefined;
  return evaluatePayloadHead(runtime, context, {
    comment: true,
    ...(previousHead === undefined ? {} : { previousHead }),
  });
}

/** The fields of a `pull_request` or `pull_request_review` payload the gate reads. */
interface PullRequestPayload {
  repository: { name: string; owner: { login: string } };
  pull_request: {
    number: number;
    state: string;
    updated_at: string;
    head: { sha: string };
    base: { sha: string };
    user: { login: string } | null;
  };
}

/**
 * Evaluates the head a payload names, queued per PR: an event for a head older than one already
 * seen is stale, and nothing is published once a newer head arrives during the evaluation.
 */
export async function evaluatePayloadHead(
  runtime: GateRuntime,
  context: { payload: PullRequestPayload; octokit: GitHubClient; log: GateLog },
  options: { comment: boolean; previousHead?: string },
): Promise<HandlerOutcome> {
  const { payload } = context;
  const pr = payload.pull_request;
  if (pr.state !== "open") return "ignored";
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  const key = pullKey(owner, repo, pr.number);
  const head = pr.head.sha;
  const order = runtime.queue.observe(key, head, pr.updated_at, options.previousHead);
  if (order === "stale") return "stale";
  if (order === "tie") {
    // Another head holds the same second of `updated_at`: the PR itself says which is current.
    const current = await gateDeps(runtime, context.octokit, context.log).source.getPull(
      { owner, repo },
      pr.number,
    );
    runtime.queue.settle(key, current.headSha, head, pr.updated_at);
    if (current.headSha !== head) return "stale";
  }
  return runtime.queue.run(key, async () => {
    if (!runtime.queue.isNewest(key, head)) return "stale";
    return evaluatePullRequest(
      gateDeps(runtime, context.octokit, context.log),
      {
        repo: { owner, repo },
        number: pr.number,
        headSha: head,
        baseSha: pr.base.sha,
        author: pr.user?.login ?? "",
        pushers: [...(runtime.pushers.get(key) ?? [])],
      },
      { comment: options.comment, isCurrent: () => runtime.queue.isNewest(key, head) },
    );
  });
}
