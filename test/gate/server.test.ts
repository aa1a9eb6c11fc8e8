import { createHmac } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDefaultEngine } from "../../src/policy-engine/engine.js";
import { gateConfig, startGate } from "../../src/gate/server.js";
import type { StartedGate } from "../../src/gate/server.js";
import {
  APP_ID,
  GitHubScope,
  TEST_POLICY,
  WEBHOOK_SECRET,
  pullRequestPayload,
  sha,
  testPrivateKey,
  trackUnmatched,
} from "./harness.js";

let gate: StartedGate;
let unmatched: ReturnType<typeof trackUnmatched>;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  const config = gateConfig({
    APP_ID: String(APP_ID),
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET,
    PORT: "0",
    HOST: "127.0.0.1",
  });
  gate = await startGate(config, {
    testing: true,
    log: pino({ level: "silent" }),
    engine: createDefaultEngine({ defaultSources: async () => [{ file: "t.yaml", content: TEST_POLICY }] }),
  });
  unmatched = trackUnmatched();
});
afterAll(async () => {
  unmatched.stop();
  await gate.stop();
  nock.cleanAll();
  nock.enableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

const body = JSON.stringify(pullRequestPayload({ head: sha("head"), base: sha("base") }));
const sign = (secret: string): string => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

async function deliver(headers: Record<string, string>): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${gate.port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": "s-1",
      ...headers,
    },
    body,
  });
  await response.text();
  return response.status;
}

describe("gate server", () => {
  it.each([
    // A signature made with another secret is a forgery.
    ["forged", { "x-hub-signature-256": sign("not-the-secret-at-all") }],
    // No signature at all.
    ["missing", {}],
  ])("rejects a %s signature with a 4xx and makes no GitHub call", async (_case, headers) => {
    const status = await deliver(headers);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(unmatched.list).toEqual([]);
  });

  it("accepts a signed delivery and handles it (here: no configuration, so silent)", async () => {
    const gh = new GitHubScope().token().noConfig();
    const status = await deliver({ "x-hub-signature-256": sign(WEBHOOK_SECRET) });
    expect(status).toBe(200);
    await expect.poll(() => gh.scope.pendingMocks(), { timeout: 5_000 }).toEqual([]);
    expect(unmatched.list).toEqual([]);
  });

  it("serves /healthz, /readyz and /metrics", async () => {
    const get = async (path: string): Promise<{ status: number; text: string }> => {
      const response = await fetch(`http://127.0.0.1:${gate.port}${path}`);
      return { status: response.status, text: await response.text() };
    };
    expect(await get("/healthz")).toEqual({ status: 200, text: "ok\n" });
    expect(await get("/readyz")).toEqual({ status: 200, text: "ready\n" });
    const metrics = await get("/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain(
      'countersign_events_total{event="pull_request",action="opened",outcome="disabled"} 1',
    );
    expect(metrics.text).toContain(
      'countersign_github_requests_total{method="GET",route="/repos/{owner}/{repo}/contents/{path}",status="404"} 1',
    );
    expect(metrics.text).toContain("# TYPE countersign_evaluation_seconds histogram");
  });
});

describe("gateConfig", () => {
  it.each([
    // The app id must be numeric.
    [{ APP_ID: "abc" }, /APP_ID/],
    // A key is required.
    [{ APP_ID: "1", WEBHOOK_SECRET }, /PRIVATE_KEY/],
    // Probot's default "development" secret is guessable: refused.
    [
      { APP_ID: "1", PRIVATE_KEY: "x", WEBHOOK_SECRET: "development" },
      /PRIVATE_KEY is neither|WEBHOOK_SECRET/,
    ],
    // A PRIVATE_KEY that is no key is refused without echoing it.
    [{ APP_ID: "1", PRIVATE_KEY: "hunter2hunter2", WEBHOOK_SECRET }, /PRIVATE_KEY is neither/],
  ])("rejects %j", (input, message) => {
    expect(() => gateConfig(input)).toThrow(message);
    try {
      gateConfig(input);
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
    }
  });

  it("builds the GitHub Enterprise Server API URL from GHE_HOST and GHE_PROTOCOL", () => {
    const config = gateConfig({
      APP_ID: "1",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET,
      GHE_HOST: "github.example.com",
      GHE_PROTOCOL: "http",
    });
    expect(config.baseUrl).toBe("http://github.example.com/api/v3");
  });
});
