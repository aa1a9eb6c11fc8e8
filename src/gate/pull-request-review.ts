import type { Context } from "probot";
import { evaluatePullRequest } from "./evaluate.js";
import type { HandlerOutcome } from "./pull-request.js";
import { gateDeps, pullKey } from "./runtime.js";
import type { GateRuntime } from "./runtime.js";

/** `pull_request_review` actions that can change the approval verdict. */
export const REVIEW_ACTIONS: ReadonlySet<string> = new Set(["submitted", "edited", "dismissed"]);

/** pull_request_review: re-evaluate the approvals of the current head and update the check run. */
export async function handlePullRequestReview(
  runtime: GateRuntime,
  context: Context<"pull_request_review">,
): Promise<HandlerOutcome> {
  const { payload } = context;
  if (!REVIEW_ACTIONS.has(payload.action)) return "ignored";
  const pr = payload.pull_request;
  if (pr.state !== "open") return "ignored";
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  const key = pullKey(owner, repo, pr.number);
  const head = pr.head.sha;
  if (!runtime.queue.observe(key, head, pr.updated_at)) return "stale";
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
      },
      { comment: false, isCurrent: () => runtime.queue.isNewest(key, head) },
    );
  });
}
