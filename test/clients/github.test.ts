import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildOctokitClass, createGitHubAppClient, isGraphqlRead } from "../../src/clients/github.js";
import type { PacedGroup } from "../../src/clients/write-pacer.js";

const API = "https://api.github.com";
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
  type: "pkcs1",
  format: "pem",
}) as string;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

/** A write pacer that lets everything through and records which installation each write was for. */
function recordingPacer(): PacedGroup & { writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    key: (id = "") => ({
      schedule: async (_options, fn) => {
        writes.push(id);
        return fn();
      },
    }),
  };
}

function tokenScope(installationId = 2): nock.Scope {
  return nock(API)
    .post(`/app/installations/${installationId}/access_tokens`)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
}

async function productionClient(pacer: PacedGroup) {
  return createGitHubAppClient({
    appId: 1,
    privateKey,
    installationId: 2,
    log: pino({ level: "silent" }),
    Octokit: buildOctokitClass({ writes: pacer }),
  });
}

describe("isGraphqlRead", () => {
  it.each([
    // a plain query is a read
    ['query($o: String!) { repository(owner: $o, name: "x") { id } }', true],
    // the shorthand form is a query
    ["{ viewer { login } }", true],
    // a mutation is a write
    ["mutation { addComment(input: {}) { clientMutationId } }", false],
    // a subscription is not a read we pace as one
    ["subscription { x }", false],
    // the word inside a string or a comment does not make a query a write
    ['query { search(query: "mutation") { issueCount } } # mutation', true],
    // a field named like the keyword errs on the paced side
    ["query { mutation }", false],
  ])("%s → %s", (document, read) => {
    expect(isGraphqlRead(document)).toBe(read);
  });
});

describe("the production client", () => {
  it("paces REST writes and GraphQL mutations per installation, never GraphQL queries", async () => {
    const pacer = recordingPacer();
    const scope = tokenScope()
      .post("/repos/acme/deploy/check-runs")
      .reply(201, { id: 1 })
      .post("/graphql", (body: { query: string }) => body.query.startsWith("query"))
      .reply(200, { data: { repository: { id: "R" } } })
      .post("/graphql", (body: { query: string }) => body.query.startsWith("mutation"))
      .reply(200, { data: { addComment: null } });
    const octokit = await productionClient(pacer);
    await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      owner: "acme",
      repo: "deploy",
      name: "countersign",
      head_sha: "a".repeat(40),
    });
    const read = await octokit.graphql<{ repository: { id: string } }>(
      'query($owner: String!) { repository(owner: $owner, name: "deploy") { id } }',
      { owner: "acme" },
    );
    await octokit.graphql('mutation { addComment(input: {subjectId: "x", body: "y"}) { clientMutationId } }');
    expect(read.repository.id).toBe("R");
    // the check run and the mutation, both keyed by the installation; the query not at all
    expect(pacer.writes).toEqual(["2", "2"]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("paces new comments (they notify people) in their own group, per installation", async () => {
    const writes = recordingPacer();
    const notifications = recordingPacer();
    const scope = tokenScope().post("/repos/acme/deploy/issues/7/comments").reply(201, { id: 5 });
    const octokit = await createGitHubAppClient({
      appId: 1,
      privateKey,
      installationId: 2,
      log: pino({ level: "silent" }),
      Octokit: buildOctokitClass({ writes, notifications }),
    });
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      owner: "acme",
      repo: "deploy",
      issue_number: 7,
      body: "hello",
    });
    expect({ writes: writes.writes, notifications: notifications.writes }).toEqual({
      writes: ["2"],
      notifications: ["2"],
    });
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("does not retry a GraphQL read answered 501 (no GraphQL on this server)", async () => {
    const scope = tokenScope().post("/graphql").once().reply(501, { message: "Not Implemented" });
    const octokit = await productionClient(recordingPacer());
    await expect(octokit.graphql("query { viewer { login } }")).rejects.toMatchObject({ status: 501 });
    expect(scope.pendingMocks()).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("looks up the installation of a repository when no id is given", async () => {
    const scope = nock(API)
      .get("/repos/acme/deploy/installation")
      .reply(200, { id: 9 })
      .post("/app/installations/9/access_tokens")
      .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} })
      .get("/repos/acme/deploy")
      .matchHeader("authorization", "token ghs_test")
      .reply(200, { id: 1 });
    const octokit = await createGitHubAppClient({
      appId: 1,
      privateKey,
      repository: { owner: "acme", repo: "deploy" },
      log: pino({ level: "silent" }),
      testing: true,
    });
    await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "deploy" });
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("says which repository had no installation", async () => {
    nock(API).get("/repos/acme/other/installation").reply(404, { message: "Not Found" });
    await expect(
      createGitHubAppClient({
        appId: 1,
        privateKey,
        repository: { owner: "acme", repo: "other" },
        log: pino({ level: "silent" }),
        testing: true,
      }),
    ).rejects.toThrow("finding the GitHub App installation of acme/other");
  });
});
