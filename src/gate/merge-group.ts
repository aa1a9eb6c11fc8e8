import type { Context } from "probot";
import { evaluateMergeGroup } from "./evaluate-merge-group.js";
import type { HandlerOutcome } from "./pull-request.js";
import { gateDeps } from "./runtime.js";
import type { GateRuntime } from "./runtime.js";

/** `merge_group` actions the gate acts on. */
export const MERGE_GROUP_ACTIONS: ReadonlySet<string> = new Set(["checks_requested"]);

/** merge_group checks_requested: success only when the group's content is covered by approvals. */
export async function handleMergeGroup(
  runtime: GateRuntime,
  context: Context<"merge_group">,
): Promise<HandlerOutcome> {
  const { payload } = context;
  if (!MERGE_GROUP_ACTIONS.has(payload.action) || payload.repository === undefined) return "ignored";
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  const group = payload.merge_group;
  return runtime.queue.run(`${owner}/${repo}@${group.head_ref}`.toLowerCase(), () =>
    evaluateMergeGroup(gateDeps(runtime, context.octokit, context.log), {
      repo: { owner, repo },
      headSha: group.head_sha,
      baseSha: group.base_sha,
    }),
  );
}
