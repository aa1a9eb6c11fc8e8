import type { Context } from "probot";
import { evaluatePayloadHead } from "./pull-request.js";
import type { HandlerOutcome } from "./pull-request.js";
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
  return evaluatePayloadHead(runtime, context, { comment: false });
}
