import type { ApplicationFunction, Context, Probot } from "probot";
import { handleCheckRun } from "./check-run.js";
import { describeError } from "../core/error-text.js";
import { handleMergeGroup } from "./merge-group.js";
import { handlePullRequestReview } from "./pull-request-review.js";
import { handlePullRequest } from "./pull-request.js";
import type { HandlerOutcome } from "./pull-request.js";
import type { GateRuntime } from "./runtime.js";

type GateEvent = "pull_request" | "pull_request_review" | "check_run" | "merge_group";

/** Outcomes that did no evaluation: not observed in the latency histogram. */
const NOT_EVALUATED = new Set<string>(["ignored", "stale", "duplicate", "disabled"]);

function handle<E extends GateEvent>(
  runtime: GateRuntime,
  event: E,
  handler: (runtime: GateRuntime, context: Context<E>) => Promise<HandlerOutcome>,
): (context: Context<E>) => Promise<void> {
  return (context) => runtime.inFlight.track(handleOne(runtime, event, handler, context));
}

async function handleOne<E extends GateEvent>(
  runtime: GateRuntime,
  event: E,
  handler: (runtime: GateRuntime, context: Context<E>) => Promise<HandlerOutcome>,
  context: Context<E>,
): Promise<void> {
  const started = performance.now();
  const payload = context.payload as { action?: string };
  const action = payload.action ?? "";
  let outcome: HandlerOutcome | "duplicate";
  // The same delivery twice (GitHub retries, replays) changes nothing.
  if (!runtime.deliveries.claim(context.id)) {
    outcome = "duplicate";
  } else {
    try {
      outcome = await handler(runtime, context);
    } catch (error) {
      context.log.error(
        { event, action, delivery: context.id, error: describeError(error) },
        "handler failed",
      );
      outcome = "error";
    }
    // A failed delivery may be redelivered by hand: let it through next time.
    if (outcome === "error") runtime.deliveries.release(context.id);
  }
  runtime.metrics.events.inc({ event, action, outcome });
  if (!NOT_EVALUATED.has(outcome)) {
    runtime.metrics.evaluationSeconds.observe({ event }, (performance.now() - started) / 1000);
  }
}

/** The Probot application: one handler per event, each with its own allow-list of actions. */
export function createGateApp(runtime: GateRuntime): ApplicationFunction {
  return (app: Probot) => {
    app.on("pull_request", handle(runtime, "pull_request", handlePullRequest));
    app.on("pull_request_review", handle(runtime, "pull_request_review", handlePullRequestReview));
    app.on("check_run", handle(runtime, "check_run", handleCheckRun));
    app.on("merge_group", handle(runtime, "merge_group", handleMergeGroup));
  };
}
