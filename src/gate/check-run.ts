import type { Context } from "probot";
import { CHECK_RUN_NAME } from "../core/constants.js";
import { evaluatePullRequest } from "./evaluate.js";
import type { HandlerOutcome } from "./pull-request.js";
import { gateDeps, pullKey } from "./runtime.js";
import type { GateRuntime } from "./runtime.js";

/** `check_run` actions the gate acts on: a person asked to re-run the countersign check. */
export const CHECK_RUN_ACTIONS: ReadonlySet<string> = new Set(["rerequested"]);

/** check_run rerequested: re-evaluate the PR head the check run belongs to. */
export async function handleCheckRun(
  runtime: GateRuntime,
  context: Context<"check_run">,
): Promise<HandlerOutcome> {
  const { payload } = context;
  if (!CHECK_RUN_ACTIONS.has(payload.action)) return "ignored";
  const check = payload.check_run;
  // Only our own check run: another app's check that happens to share the name is not ours to re-run.
  if (check.name !== CHECK_RUN_NAME) return "ignored";
  if (check.app?.id !== runtime.appId) return "ignored";
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  const deps = gateDeps(runtime, context.octokit, context.log);
  let outcome: HandlerOutcome = "ignored";
  for (const ref of check.pull_requests) {
    const key = pullKey(owner, repo, ref.number);
    if (runtime.queue.observe(key, check.head_sha) !== "current") {
      outcome = "stale";
      continue;
    }
    outcome = await runtime.queue.run(key, async () => {
      if (!runtime.queue.isNewest(key, check.head_sha)) return "stale";
      // The check run carries no author: read the PR (its head must still be this one).
      const pr = await deps.source.getPull({ owner, repo }, ref.number);
      if (pr.headSha !== check.head_sha || pr.state !== "open") return "stale";
      return evaluatePullRequest(
        deps,
        {
          repo: { owner, repo },
          number: pr.number,
          headSha: pr.headSha,
          baseSha: pr.baseSha,
          author: pr.author,
          pushers: [...(runtime.pushers.get(key) ?? [])],
        },
        { comment: false, isCurrent: () => runtime.queue.isNewest(key, check.head_sha) },
      );
    });
  }
  return outcome;
}
