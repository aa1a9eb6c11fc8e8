import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  API,
  CONFIG,
  PR_NUMBER,
  GitHubScope,
  blobSha,
  configMap,
  capturingLog,
  createTestGate,
  deployment,
  pullRequestPayload,
  sha,
  isolateGitHub,
} from "./harness.js";

const BASE = sha("base");
const HEAD = sha("head");
const MERGE_BASE = sha("merge-base");

const unmatched = isolateGitHub();

const baseFiles = {
  "README.md": "hello\n",
  "clusters/prod/web.yaml": deployment("web", "nginx:1.0"),
  "clusters/prod/settings.yaml": configMap("settings", "a"),
};
const headFiles = {
  ...baseFiles,
  "clusters/prod/web.yaml": deployment("web", "nginx:1.1"),
};

/** The requests of a full evaluation of HEAD against BASE, up to the completed check. */
function openedScope(
  base: Record<string, string> = baseFiles,
  head: Record<string, string> = headFiles,
  // Only the changed files' blobs: README and settings are never requested.
  blobs: string[] = [baseFiles["clusters/prod/web.yaml"], headFiles["clusters/prod/web.yaml"]],
  team: string[] = ["alice", "bob"],
): GitHubScope {
  return new GitHubScope()
    .token()
    .config()
    .publishCheck(1)
    .compare(BASE, HEAD, MERGE_BASE)
    .tree(MERGE_BASE, base)
    .tree(HEAD, head)
    .blobs(...blobs)
    .reviews([])
    .commits()
    .team("acme", "sre", team);
}

/** Delivers `pull_request.opened` for HEAD on BASE. */
async function receiveOpened(probot: Awaited<ReturnType<typeof createTestGate>>["probot"], id = "d-1") {
  await probot.receive({
    id,
    name: "pull_request",
    payload: pullRequestPayload({ head: HEAD, base: BASE }),
  } as never);
}

describe("pull_request", () => {
  it("opened: creates the check run completed (one write), then the sticky comment", async () => {
    const { probot } = await createTestGate();
    const gh = openedScope().listComments([]).createComment(500);
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const [done, ...more] = gh.checkUpdates();
    expect(done).toMatchObject({
      name: "countersign",
      head_sha: HEAD,
      status: "completed",
      conclusion: "action_required",
    });
    // No in-progress run first, no update after: the verdict is one request.
    expect(gh.writes.filter((w) => w.path.includes("/check-runs"))).toHaveLength(1);
    expect(more).toEqual([]);
    const output = done?.["output"] as Record<string, unknown>;
    expect(output["text"]).toBeUndefined();
    expect({ title: output["title"], summary: output["summary"] }).toMatchSnapshot();
    const [comment] = gh.commentWrites();
    expect(comment?.method).toBe("POST");
    expect(comment?.body["body"]).toMatchSnapshot();
  });

  it("synchronize: updates the sticky comment in place instead of posting another", async () => {
    const { probot } = await createTestGate();
    const first = openedScope()
      .listComments([{ id: 500, body: "<!-- countersign:report -->\nold" }])
      .updateComment(500);
    await receiveOpened(probot);
    expect(first.scope.pendingMocks()).toEqual([]);
    const head2 = sha("head-2");
    const files2 = { ...headFiles, "clusters/prod/api.yaml": deployment("api", "api:2.0") };
    const second = new GitHubScope()
      .config()
      .publishCheck(2)
      .compare(BASE, head2, MERGE_BASE)
      .tree(head2, files2)
      // Trees and blobs are cached by SHA: only the new file's blob is read.
      .blobs(files2["clusters/prod/api.yaml"])
      .reviews([])
      .commits()
      .updateComment(500);
    await probot.receive({
      id: "d-2",
      name: "pull_request",
      payload: pullRequestPayload({
        head: head2,
        base: BASE,
        action: "synchronize",
        updatedAt: "2026-01-01T01:00:00Z",
      }),
    } as never);
    expect(unmatched.list).toEqual([]);
    expect(second.scope.pendingMocks()).toEqual([]);
    expect(second.commentWrites().map((w) => w.method)).toEqual(["PATCH"]);
  });

  it("stays silent when the repository has no configuration", async () => {
    const { probot } = await createTestGate();
    const gh = new GitHubScope().token().noConfig();
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    expect(gh.writes).toEqual([]);
  });

  it("fails the check naming the problem when the configuration is invalid", async () => {
    const { probot } = await createTestGate();
    const gh = new GitHubScope().token().config("version: 1\npaths: []\n").publishCheck(1);
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const [done] = gh.checkUpdates();
    expect(done).toMatchObject({ conclusion: "failure" });
    expect((done?.["output"] as Record<string, unknown>)["summary"]).toContain("paths");
  });

  it("fails with annotations on file and line for invalid YAML", async () => {
    const { probot } = await createTestGate();
    const broken =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: web\ndata: [unclosed\n";
    const head = { ...baseFiles, "clusters/prod/broken.yaml": broken };
    const gh = new GitHubScope()
      .token()
      .config()
      .publishCheck(1)
      .compare(BASE, HEAD, MERGE_BASE)
      .tree(MERGE_BASE, baseFiles)
      .tree(HEAD, head)
      .blobs(broken);
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const [done] = gh.checkUpdates();
    expect(done).toMatchObject({ conclusion: "failure" });
    const annotations = (done?.["output"] as { annotations: Record<string, unknown>[] }).annotations;
    expect(annotations.length).toBeGreaterThan(0);
    expect(annotations[0]).toMatchObject({ path: "clusters/prod/broken.yaml", annotation_level: "failure" });
    expect(annotations[0]?.["start_line"]).toBeGreaterThan(1);
  });

  it("is neutral, and says so, when the PR touches no managed path", async () => {
    const { probot } = await createTestGate();
    const head = { ...baseFiles, "README.md": "changed\n" };
    const gh = new GitHubScope()
      .token()
      .config()
      .publishCheck(1)
      .compare(BASE, HEAD, MERGE_BASE)
      .tree(MERGE_BASE, baseFiles)
      .tree(HEAD, head);
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const [done] = gh.checkUpdates();
    expect(done).toMatchObject({ conclusion: "neutral" });
    expect((done?.["output"] as Record<string, unknown>)["summary"]).toContain("touches no managed path");
  });

  it("classifies a PR that changes the repository configuration as critical", async () => {
    const { probot } = await createTestGate();
    const head = { ...headFiles, ".github/countersign.yml": CONFIG + "reviewers:\n  users: [mallory]\n" };
    const base = { ...baseFiles, ".github/countersign.yml": CONFIG };
    const gh = openedScope(
      base,
      head,
      [baseFiles["clusters/prod/web.yaml"], headFiles["clusters/prod/web.yaml"]],
      ["alice"],
    )
      .listComments([])
      .createComment(500);
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const [done] = gh.checkUpdates();
    expect((done?.["output"] as Record<string, unknown>)["title"]).toMatch(/^critical risk/);
  });

  it("ignores a delivery it has already handled", async () => {
    const { probot } = await createTestGate();
    const gh = openedScope().listComments([]).createComment(500);
    const event = {
      id: "d-1",
      name: "pull_request",
      payload: pullRequestPayload({ head: HEAD, base: BASE }),
    };
    await probot.receive(event as never);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const writes = gh.writes.length;
    await probot.receive(structuredClone(event) as never);
    // No interceptor is left: any request would show up as unmatched.
    expect(unmatched.list).toEqual([]);
    expect(gh.writes.length).toBe(writes);
  });

  it("ignores an event for an older head once a newer head is known", async () => {
    const { probot } = await createTestGate();
    const gh = openedScope().listComments([]).createComment(500);
    await probot.receive({
      id: "d-new",
      name: "pull_request",
      payload: pullRequestPayload({
        head: HEAD,
        base: BASE,
        action: "synchronize",
        updatedAt: "2026-01-01T02:00:00Z",
      }),
    } as never);
    expect(gh.scope.pendingMocks()).toEqual([]);
    await probot.receive({
      id: "d-old",
      name: "pull_request",
      payload: pullRequestPayload({
        head: sha("older"),
        base: BASE,
        action: "synchronize",
        updatedAt: "2026-01-01T01:00:00Z",
      }),
    } as never);
    expect(unmatched.list).toEqual([]);
  });

  it("drops a late event for the head a push replaced, even within the same second", async () => {
    const { probot } = await createTestGate();
    const gh = openedScope().listComments([]).createComment(500);
    const newer = pullRequestPayload({
      head: HEAD,
      base: BASE,
      action: "synchronize",
      updatedAt: "2026-01-01T02:00:00Z",
    });
    newer["before"] = sha("older");
    await probot.receive({ id: "d-new", name: "pull_request", payload: newer } as never);
    expect(gh.scope.pendingMocks()).toEqual([]);
    // The event for the replaced head arrives late, its `updated_at` in the same second.
    await probot.receive({
      id: "d-old",
      name: "pull_request",
      payload: pullRequestPayload({
        head: sha("older"),
        base: BASE,
        action: "opened",
        updatedAt: "2026-01-01T02:00:00Z",
      }),
    } as never);
    expect(unmatched.list).toEqual([]);
  });

  it("reads the PR when two heads share a second and nothing else orders them", async () => {
    const { probot } = await createTestGate();
    const gh = openedScope().listComments([]).createComment(500);
    await probot.receive({
      id: "d-new",
      name: "pull_request",
      payload: pullRequestPayload({
        head: HEAD,
        base: BASE,
        action: "opened",
        updatedAt: "2026-01-01T02:00:00Z",
      }),
    } as never);
    expect(gh.scope.pendingMocks()).toEqual([]);
    // GitHub says the PR's head is HEAD: the other head's event is stale, nothing is evaluated.
    const read = nock(API)
      .get(`/repos/acme/deploy/pulls/${PR_NUMBER}`)
      .reply(200, {
        number: PR_NUMBER,
        state: "open",
        draft: false,
        head: { sha: HEAD },
        base: { sha: BASE, ref: "main" },
        user: { login: "deploy-agent" },
      });
    const late = pullRequestPayload({
      head: sha("other"),
      base: BASE,
      action: "synchronize",
      updatedAt: "2026-01-01T02:00:00Z",
    });
    late["before"] = sha("unrelated");
    await probot.receive({ id: "d-late", name: "pull_request", payload: late } as never);
    expect(read.pendingMocks()).toEqual([]);
    expect(unmatched.list).toEqual([]);
  });

  it("leaves the check non-success and does not crash when GitHub answers 500", async () => {
    const { probot } = await createTestGate();
    const gh = new GitHubScope().token().config().publishCheck(1).compare(BASE, HEAD, MERGE_BASE);
    gh.scope.get(`/repos/acme/deploy/git/trees/${MERGE_BASE}`).query(true).reply(500, { message: "boom" });
    gh.scope.get(`/repos/acme/deploy/git/trees/${HEAD}`).query(true).reply(500, { message: "boom" });
    await expect(
      probot.receive({
        id: "d-1",
        name: "pull_request",
        payload: pullRequestPayload({ head: HEAD, base: BASE }),
      } as never),
    ).resolves.toBeUndefined();
    expect(gh.scope.pendingMocks()).toEqual([]);
    const [done] = gh.checkUpdates();
    expect(done).toMatchObject({ conclusion: "failure" });
    expect((done?.["output"] as Record<string, unknown>)["title"]).toBe(
      "countersign could not evaluate this pull request",
    );
    // The summary names the request that failed, not only "Server Error".
    expect(String((done?.["output"] as Record<string, unknown>)["summary"])).toMatch(
      /HTTP 500, GET \/repos\/acme\/deploy\/git\/trees\/[0-9a-f]{40}/,
    );
  });

  it("logs the risk as `risk`, leaving pino's numeric `level` to the log level", async () => {
    const { log, lines } = capturingLog();
    const { probot } = await createTestGate(undefined, log);
    const gh = openedScope().listComments([]).createComment(500);
    await receiveOpened(probot);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const evaluated = lines.find((l) => l["msg"] === "evaluated");
    expect(evaluated).toMatchObject({ level: 30, risk: "medium", conclusion: "action_required" });
  });

  it("handles a PR that changes 1,000 objects", async () => {
    const { probot } = await createTestGate();
    const head: Record<string, string> = { ...baseFiles };
    const docs: string[] = [];
    for (let i = 0; i < 1000; i++) docs.push(configMap(`cm-${i}`, `v${i}`));
    head["clusters/prod/many.yaml"] = docs.join("---\n");
    const gh = new GitHubScope()
      .token()
      .config()
      .publishCheck(1)
      .compare(BASE, HEAD, MERGE_BASE)
      .tree(MERGE_BASE, baseFiles)
      .tree(HEAD, head)
      .blobs(head["clusters/prod/many.yaml"] as string)
      .reviews([])
      .commits()
      .listComments([])
      .createComment(500);
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const [done] = gh.checkUpdates();
    // ConfigMaps are low risk, auto-approved: the record of 1,000 changes is in the output text.
    expect(done).toMatchObject({ conclusion: "success" });
    expect(String((done?.["output"] as Record<string, unknown>)["text"])).toContain(
      "countersign:approval-record",
    );
    expect(String(done?.["external_id"])).toMatch(/^[0-9a-f]{64}$/);
  });

  it("never shows a secret's value in the check run or the comment", async () => {
    const { probot } = await createTestGate();
    const secret = (value: string): string =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: web\nstringData:\n  password: ${value}\n`;
    const base = { ...baseFiles, "clusters/prod/db.yaml": secret("old-Pa55word-value-1") };
    const head = { ...baseFiles, "clusters/prod/db.yaml": secret("new-Pa55word-value-2") };
    const gh = openedScope(
      base,
      head,
      [base["clusters/prod/db.yaml"], head["clusters/prod/db.yaml"]],
      ["alice"],
    )
      .listComments([])
      .createComment(500);
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const published = JSON.stringify(gh.writes);
    expect(published).toContain("Secret");
    expect(published).not.toContain("Pa55word");
    expect((gh.checkUpdates()[0]?.["output"] as Record<string, unknown>)["title"]).toMatch(/^high risk/);
  });

  it.each([
    // Closing a PR changes nothing the gate judges.
    ["closed", {}],
    // Labels do not change content.
    ["labeled", {}],
    // An edit of the title or body (no base change) does not change content.
    ["edited", { changes: { title: { from: "old" } } }],
  ])("ignores pull_request.%s without any GitHub call", async (action, extra) => {
    const { probot, runtime } = await createTestGate();
    const payload = { ...pullRequestPayload({ head: HEAD, base: BASE }), action, ...extra };
    await probot.receive({ id: `i-${action}`, name: "pull_request", payload } as never);
    expect(unmatched.list).toEqual([]);
    const metrics = await runtime.metrics.registry.getSingleMetricAsString("countersign_events_total");
    expect(metrics).toContain(`action="${action}",outcome="ignored"} 1`);
  });

  it.each([
    // The configuration cannot be read: a new check run fails, so an earlier success on the head
    // (e.g. before a request for changes this evaluation could not read) does not stand.
    ["fails a new check run", true],
    // GitHub cannot even create the check run: nothing is written and the process does not crash.
    ["writes nothing", false],
  ])("when GitHub fails before the check exists, it %s", async (_case, canCreate) => {
    const { probot, runtime } = await createTestGate();
    const gh = new GitHubScope().token().noConfig(500);
    if (canCreate) gh.publishCheck(1);
    else gh.scope.post("/repos/acme/deploy/check-runs").reply(500, { message: "boom" });
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    if (canCreate) {
      expect(gh.checkUpdates()).toHaveLength(1);
      expect(gh.checkUpdates()[0]).toMatchObject({ conclusion: "failure" });
    } else expect(gh.writes).toEqual([]);
    const metrics = await runtime.metrics.registry.getSingleMetricAsString("countersign_events_total");
    expect(metrics).toContain('outcome="error"} 1');
  });

  it("fails the check when the repository policy named by the configuration is missing", async () => {
    const { probot } = await createTestGate();
    const config = CONFIG.replace("policy: default", "policy: .github/countersign-policy");
    const gh = new GitHubScope().token().config(config).publishCheck(1);
    gh.scope
      .get("/repos/acme/deploy/contents/.github%2Fcountersign-policy")
      .reply(404, { message: "Not Found" });
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    expect(gh.checkUpdates()[0]).toMatchObject({
      conclusion: "failure",
      output: { title: "invalid policy" },
    });
  });

  it("reads many changed blobs through one GraphQL query instead of one REST request each", async () => {
    const { probot } = await createTestGate();
    const base: Record<string, string> = { ...baseFiles };
    const head: Record<string, string> = { ...baseFiles };
    for (let i = 0; i < 6; i++) {
      base[`clusters/prod/cm-${i}.yaml`] = configMap(`cm-${i}`, "old");
      head[`clusters/prod/cm-${i}.yaml`] = configMap(`cm-${i}`, "new");
    }
    const gh = new GitHubScope()
      .token()
      .config()
      .publishCheck(1)
      .compare(BASE, HEAD, MERGE_BASE)
      .tree(MERGE_BASE, base)
      .tree(HEAD, head)
      .reviews([])
      .commits()
      .listComments([])
      .createComment(500);
    let oids: string[] = [];
    gh.scope.post("/graphql").reply(200, (_path, body) => {
      const query = (body as { query: string }).query;
      oids = [...query.matchAll(/object\(oid: "([0-9a-f]+)"\)/g)].map((m) => m[1] as string);
      const contents = new Map([...Object.values(base), ...Object.values(head)].map((c) => [blobSha(c), c]));
      return {
        data: {
          repository: Object.fromEntries(
            oids.map((oid, i) => [`b${i}`, { text: contents.get(oid), isBinary: false, isTruncated: false }]),
          ),
        },
      };
    });
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    // The 12 changed versions, and nothing of the unchanged files.
    expect(oids).toHaveLength(12);
    expect(oids).not.toContain(blobSha(baseFiles["README.md"]));
    expect(gh.checkUpdates()[0]).toMatchObject({ conclusion: "success" });
  });

  it("reads a moved file's blob once: same SHA on both sides", async () => {
    const { probot } = await createTestGate();
    const moved = baseFiles["clusters/prod/web.yaml"];
    const head = {
      "README.md": baseFiles["README.md"],
      "clusters/prod/settings.yaml": baseFiles["clusters/prod/settings.yaml"],
      "clusters/prod/apps/web.yaml": moved,
    };
    const gh = new GitHubScope()
      .token()
      .config()
      .publishCheck(1)
      .compare(BASE, HEAD, MERGE_BASE)
      .tree(MERGE_BASE, baseFiles)
      .tree(HEAD, head)
      // One interceptor for the one blob: a second request for it would be unmatched.
      .blobs(moved);
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const [done] = gh.checkUpdates();
    expect(done).toMatchObject({ conclusion: "neutral" });
    expect((done?.["output"] as Record<string, unknown>)["summary"]).toContain("but no Kubernetes object");
  });
  it("says on the first evaluation that a PR too large to record must be split, before anyone approves", async () => {
    // 1,300 Deployments in one new file: their approval record could never fit a check run.
    const many = Array.from({ length: 1_300 }, (_, i) => deployment(`app-${i}`, `app:${i}`)).join("---\n");
    const head = { ...baseFiles, "clusters/prod/many.yaml": many };
    const { probot } = await createTestGate();
    // No reviews, commits or teams are read: there is nothing to approve.
    const gh = new GitHubScope()
      .token()
      .config()
      .publishCheck(1)
      .compare(BASE, HEAD, MERGE_BASE)
      .tree(MERGE_BASE, baseFiles)
      .tree(HEAD, head)
      .blobs(many);
    await receiveOpened(probot);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const [done] = gh.checkUpdates();
    expect(done).toMatchObject({ conclusion: "failure" });
    const output = done?.["output"] as Record<string, unknown>;
    expect(output["title"]).toBe("too large to approve: split this pull request");
    expect(String(output["summary"])).toMatch(
      /^This pull request changes 1300 objects: the approval record binding them would need about \d+ characters, more than the \d+ a check run can hold\./,
    );
    expect(output["text"]).toBeUndefined();
  });
});
