import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  CONFIG,
  GitHubScope,
  configMap,
  createTestGate,
  deployment,
  examplePayload,
  reviewPayload,
  sha,
  isolateGitHub,
} from "./harness.js";
import type { Files } from "./harness.js";

const BASE = sha("base");
const HEAD = sha("head");
const GROUP_BASE = sha("group-base");
const GROUP_HEAD = sha("group-head");
const GROUP_COMMIT = sha("group-commit");

const unmatched = isolateGitHub();

const baseFiles = {
  "clusters/prod/web.yaml": deployment("web", "nginx:1.0"),
  "clusters/prod/settings.yaml": configMap("settings", "a"),
};
const headFiles = { ...baseFiles, "clusters/prod/web.yaml": deployment("web", "nginx:1.1") };

/**
 * Approves PR #7 (alice and carol, acme/sre) and returns the check run text holding its approval
 * record; `prHead` changing the configuration makes it critical.
 */
/** The external id the approving run stored next to each record text (the verifier checks them against each other). */
const externalIds = new Map<string, string>();

async function approvedRecordText(prHead: Files = headFiles): Promise<string> {
  const gh = new GitHubScope()
    .token()
    .config()
    .publishCheck(1)
    .compare(BASE, HEAD)
    .tree(BASE, baseFiles)
    .tree(HEAD, prHead)
    .blobs(baseFiles["clusters/prod/web.yaml"], headFiles["clusters/prod/web.yaml"])
    .reviews([
      { id: 11, login: "alice", state: "APPROVED", commit: HEAD },
      { id: 12, login: "carol", state: "APPROVED", commit: HEAD },
    ])
    .commits()
    .team("acme", "sre", ["alice", "carol"])
    .checksForRef(HEAD, []);
  const { probot } = await createTestGate();
  await probot.receive({
    id: "r-1",
    name: "pull_request_review",
    payload: reviewPayload({ head: HEAD, base: BASE, reviewer: "alice" }),
  } as never);
  expect(gh.scope.pendingMocks()).toEqual([]);
  const output = gh.checkUpdates()[0]?.["output"] as Record<string, unknown>;
  nock.cleanAll();
  const done = gh.checkUpdates()[0];
  externalIds.set(String(output["text"]), String(done?.["external_id"]));
  return String(output["text"]);
}

function mergeGroupPayload(): Record<string, unknown> {
  const payload = examplePayload("merge_group", "checks_requested");
  const group = payload["merge_group"] as Record<string, unknown>;
  group["head_sha"] = GROUP_HEAD;
  group["base_sha"] = GROUP_BASE;
  return payload;
}

/** Base and head contents of every managed manifest that differs between the group's base and head. */
function changedBlobs(groupHead: Files): string[] {
  const base: Files = baseFiles;
  const changed = Object.keys(groupHead).filter(
    (path) => path.startsWith("clusters/") && base[path] !== groupHead[path],
  );
  return [
    ...new Set(
      changed.flatMap((path) => [base[path], groupHead[path]]).filter((c): c is string => c !== undefined),
    ),
  ];
}

function groupScope(
  groupHead: Files,
  recordText: string,
  runs: Parameters<GitHubScope["checksForRef"]>[1] = [
    { id: 1, conclusion: "success", text: recordText, externalId: externalIds.get(recordText) },
  ],
  groupBase: Files = baseFiles,
  reviewsNow: Parameters<GitHubScope["reviews"]>[0] = [
    { id: 11, login: "alice", state: "APPROVED", commit: HEAD },
    { id: 12, login: "carol", state: "APPROVED", commit: HEAD },
  ],
): GitHubScope {
  const gh = new GitHubScope()
    .token()
    .config()
    .startCheck(3)
    .tree(GROUP_BASE, groupBase)
    .tree(GROUP_HEAD, groupHead)
    .blobs(...changedBlobs(groupHead))
    .checksForRef(HEAD, runs)
    .completeCheck(3);
  // The approval is re-checked against the reviews as they are now when the newest run holds it.
  const newest = runs.reduce((a, r) => (r.id > a.id ? r : a));
  if (newest.conclusion === "success") {
    gh.reviews(reviewsNow).commits().team("acme", "sre", ["alice", "carol"]);
  }
  gh.scope
    .get(`/repos/acme/deploy/compare/${GROUP_BASE}...${GROUP_HEAD}`)
    .query(true)
    .reply(200, { merge_base_commit: { sha: GROUP_BASE }, commits: [{ sha: GROUP_COMMIT }] });
  gh.scope
    .get(`/repos/acme/deploy/commits/${GROUP_COMMIT}/pulls`)
    .query(true)
    .reply(200, [{ number: 7 }]);
  gh.scope.get("/repos/acme/deploy/pulls/7").reply(200, {
    number: 7,
    state: "open",
    draft: false,
    head: { sha: HEAD },
    base: { sha: BASE, ref: "main" },
    user: { login: "deploy-agent" },
  });
  return gh;
}

describe("merge_group", () => {
  it("succeeds when the group's content is covered by the approved change sets of its PRs", async () => {
    const text = await approvedRecordText();
    const gh = groupScope(headFiles, text);
    const { probot } = await createTestGate();
    await probot.receive({ id: "m-1", name: "merge_group", payload: mergeGroupPayload() } as never);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    expect(gh.checkUpdates()[0]).toMatchObject({ conclusion: "success" });
  });

  it("fails naming the objects no approval covers", async () => {
    const text = await approvedRecordText();
    // The group also carries a change no PR's approval holds (a mixed-in edit).
    const groupHead = { ...headFiles, "clusters/prod/settings.yaml": configMap("settings", "b") };
    const gh = groupScope(groupHead, text);
    const { probot } = await createTestGate();
    await probot.receive({ id: "m-1", name: "merge_group", payload: mergeGroupPayload() } as never);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const done = gh.checkUpdates()[0];
    expect(done).toMatchObject({ conclusion: "failure" });
    const output = done?.["output"] as Record<string, unknown>;
    expect(output["title"]).toBe("1 object not covered by an approval");
    expect(output["summary"]).toContain("`/ConfigMap/web/settings`");
    expect(output["summary"]).not.toContain("apps/Deployment/web/web");
  });

  it.each([
    // A later evaluation of the same head found a request for changes: the older record is void.
    ["newer failure listed after", [1, 2]],
    // The same, whatever order GitHub lists the runs in.
    ["newer failure listed first", [2, 1]],
  ])("ignores a superseded approval record on the PR's head (%s)", async (_case, order) => {
    const text = await approvedRecordText();
    const runs = order.map((id) =>
      id === 1
        ? { id: 1, conclusion: "success", text, externalId: externalIds.get(text) }
        : { id: 2, conclusion: "failure", text: undefined },
    );
    const gh = groupScope(headFiles, text, runs);
    const { probot } = await createTestGate();
    await probot.receive({ id: "m-1", name: "merge_group", payload: mergeGroupPayload() } as never);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const done = gh.checkUpdates()[0];
    expect(done).toMatchObject({ conclusion: "failure" });
    expect((done?.["output"] as Record<string, unknown>)["summary"]).toContain(
      "`apps/Deployment/web/web`: no approval record holds this object",
    );
  });

  it("re-checks each PR's approval against the reviews as they are now", async () => {
    const text = await approvedRecordText();
    // carol requested changes after the record was written: the approval no longer holds.
    const gh = groupScope(headFiles, text, undefined, undefined, [
      { id: 11, login: "alice", state: "APPROVED", commit: HEAD },
      { id: 12, login: "carol", state: "APPROVED", commit: HEAD },
      { id: 13, login: "carol", state: "CHANGES_REQUESTED", commit: HEAD, at: "2026-01-01T11:00:00Z" },
    ]);
    const { probot } = await createTestGate();
    await probot.receive({ id: "m-1", name: "merge_group", payload: mergeGroupPayload() } as never);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const done = gh.checkUpdates()[0];
    expect(done).toMatchObject({ conclusion: "failure" });
    const summary = String((done?.["output"] as Record<string, unknown>)["summary"]);
    expect(summary).toContain("`apps/Deployment/web/web`: no approval record holds this object");
    expect(summary).toContain(
      "- acme/deploy#7: the approval no longer holds: changes are requested by carol",
    );
  });

  it.each([
    // The PR was approved without touching the configuration; the group changes it: uncovered.
    ["a PR approved below critical", undefined, "edit-b", "failure"],
    // The PR approved at critical holds another edit of the configuration: uncovered.
    ["a critical approval of other content", "edit-a", "edit-b", "failure"],
    // The PR approved at critical holds exactly the group's configuration: covered.
    ["a critical approval of the same content", "edit-b", "edit-b", "success"],
  ])("covers a change to the configuration only by %s", async (_case, prEdit, groupEdit, conclusion) => {
    const config = (edit: string): string => `${CONFIG}reviewers:\n  users: [${edit}]\n`;
    const base: Files = { ...baseFiles, ".github/countersign.yml": CONFIG };
    const prHead: Files =
      prEdit === undefined ? { ...headFiles } : { ...headFiles, ".github/countersign.yml": config(prEdit) };
    const text = await approvedRecordText(prHead);
    const groupHead: Files = { ...headFiles, ".github/countersign.yml": config(groupEdit) };
    const gh = groupScope(groupHead, text, undefined, base);
    const { probot } = await createTestGate();
    await probot.receive({ id: "m-1", name: "merge_group", payload: mergeGroupPayload() } as never);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const done = gh.checkUpdates()[0];
    expect(done).toMatchObject({ conclusion });
    const summary = String((done?.["output"] as Record<string, unknown>)["summary"]);
    if (conclusion === "failure") expect(summary).toContain("`.github/countersign.yml`");
    // A covered group counts the protected file it changes, not only objects.
    else expect(summary).toMatch(/\(\d+ object changes? and 1 protected file\)/);
  });
});
