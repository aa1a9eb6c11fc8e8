import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildOctokitClass } from "../../src/clients/github.js";
import { GitHubApiError, gitHubStatus } from "../../src/clients/github-error.js";
import { describeError } from "../../src/core/error-text.js";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

const client = () => new (buildOctokitClass({ testing: true }))({ auth: "ghs_secrettokenvalue0123456789" });

describe("GitHubApiError", () => {
  it("is what a failed request throws: status, method and path, the original error as cause", async () => {
    nock("https://api.github.com")
      .get("/repos/acme/deploy/git/trees/abc")
      .query(true)
      .reply(502, { message: "Server Error" });
    const error = await client()
      .request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
        owner: "acme",
        repo: "deploy",
        tree_sha: "abc",
        recursive: "1",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error).toMatchObject({
      status: 502,
      request: { method: "GET", url: "/repos/acme/deploy/git/trees/abc" },
    });
    expect(gitHubStatus(new Error("reading the tree", { cause: error }))).toBe(502);
    expect(describeError(error)).toBe("Server Error (HTTP 502, GET /repos/acme/deploy/git/trees/abc)");
    // No header (the token) travels with it.
    expect(JSON.stringify({ ...(error as object), cause: undefined })).not.toContain("secrettoken");
  });

  it("has no status when there was no answer", async () => {
    nock("https://api.github.com").get("/repos/acme/deploy").replyWithError("socket hang up");
    const error = await client()
      .request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "deploy" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(gitHubStatus(error)).toBe(500);
  });
});
