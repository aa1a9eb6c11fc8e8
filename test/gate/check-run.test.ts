import { describe, expect, it } from "vitest";
import {
  APP_ID,
  GitHubScope,
  configMap,
  createTestGate,
  deployment,
  examplePayload,
  sha,
  isolateGitHub,
} from "./harness.js";

const BASE = sha("base");
const HEAD = sha("head");

const unmatched = isolateGitHub();

const baseFiles = { "clusters/prod/settings.yaml": configMap("settings", "a") };
const headFiles = { ...baseFiles, "clusters/prod/web.yaml": deployment("web", "nginx:1.0") };

function rerequested(appId: number, name = "countersign"): Record<string, unknown> {
  const payload = examplePayload("check_run", "rerequested");
  const check = payload["check_run"] as Record<string, unknown>;
  check["name"] = name;
  check["head_sha"] = HEAD;
  check["app"] = { ...(check["app"] as object), id: appId };
  check["pull_requests"] = [{ number: 7, head: { sha: HEAD }, base: { sha: BASE } }];
  return payload;
}

describe("check_run", () => {
  it("re-evaluates the PR when its countersign check is re-requested", async () => {
    const gh = new GitHubScope()
      .token()
      .config()
      .publishCheck(1)
      .compare(BASE, HEAD)
      .tree(BASE, baseFiles)
      .tree(HEAD, headFiles)
      .blobs(headFiles["clusters/prod/web.yaml"])
      .reviews([])
      .commits()
      .team("acme", "sre", ["alice"]);
    gh.scope.get("/repos/acme/deploy/pulls/7").reply(200, {
      number: 7,
      state: "open",
      draft: false,
      head: { sha: HEAD },
      base: { sha: BASE, ref: "main" },
      user: { login: "deploy-agent" },
    });
    const { probot } = await createTestGate();
    await probot.receive({ id: "c-1", name: "check_run", payload: rerequested(APP_ID) } as never);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    expect(gh.checkUpdates()[0]).toMatchObject({ conclusion: "action_required" });
  });

  it.each([
    // Another app's check run that happens to be called countersign is not ours to re-run.
    ["another app's check", rerequested(APP_ID + 1)],
    // Our app, but another check name.
    ["another check name", rerequested(APP_ID, "lint")],
  ])("ignores %s", async (_case, payload) => {
    const { probot } = await createTestGate();
    await probot.receive({ id: "c-2", name: "check_run", payload } as never);
    expect(unmatched.list).toEqual([]);
  });
});
