import { describe, expect, it } from "vitest";
import { CLI_ERROR_CHARS, describeError, redact } from "../../src/core/error-text.js";

describe("describeError", () => {
  it("joins the cause chain in plain words, with HTTP statuses", () => {
    const root = Object.assign(new Error("Bad credentials"), { status: 401 });
    const error = new Error("reading the tree", {
      cause: new Error("GET /repos/o/r/git/trees/x", { cause: root }),
    });
    expect(describeError(error)).toBe(
      "reading the tree: GET /repos/o/r/git/trees/x: Bad credentials (HTTP 401)",
    );
  });

  it("names the request an HTTP error is about (Octokit's RequestError), without host or query", () => {
    const error = Object.assign(new Error("Server Error"), {
      status: 502,
      request: {
        method: "GET",
        url: "https://api.github.com/repos/acme/deploy/contents/.github%2Fcountersign.yml?ref=main",
      },
    });
    expect(describeError(new Error("evaluating #7", { cause: error }))).toBe(
      "evaluating #7: Server Error (HTTP 502, GET /repos/acme/deploy/contents/.github/countersign.yml)",
    );
  });

  it("does not repeat a cause the wrapper already quotes", () => {
    const cause = new Error("no such directory: examples/nope");
    expect(describeError(new Error(`--base: ${cause.message}`, { cause }))).toBe(
      "--base: no such directory: examples/nope",
    );
  });

  it("stops after four levels, even on a cycle", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(describeError(b)).toBe("b: a");
  });

  it("describes non-errors", () => {
    expect(describeError("plain")).toBe("plain");
    expect(describeError(undefined)).toBe("undefined");
  });

  it("redacts credentials from any level of the chain", () => {
    const token = `ghs_${"A1b2".repeat(9)}`;
    const aws = "AKIAIOSFODNN7EXAMPLE";
    const error = new Error("request failed", {
      cause: new Error(`Authorization: token ${token}; url postgres://app:hunter2@db:5432/x; key ${aws}`),
    });
    const text = describeError(error);
    expect(text).not.toContain(token);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain(aws);
    expect(text).toContain("[redacted]");
  });

  it("escapes terminal controls and bidi overrides a message may quote", () => {
    const text = describeError(new Error("bad key \u001b]0;pwned\u0007 in \u202egnp.exe\nnext line"));
    // Newlines stay: a list of problems reads one per line.
    expect(text).toBe("bad key \\u001b]0;pwned\\u0007 in \\u202egnp.exe\nnext line");
  });

  it("bounds an enormous message, more loosely for the terminal", () => {
    expect(redact("x".repeat(1_000_000)).length).toBeLessThanOrEqual(1_000);
    expect(describeError(new Error("x".repeat(50_000)), CLI_ERROR_CHARS)).toHaveLength(50_000);
  });
});
