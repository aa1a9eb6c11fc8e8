import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { gitHubAppSettings, readConfig } from "../../src/clients/config.js";
import { createClients } from "../../src/clients/create-clients.js";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
  type: "pkcs1",
  format: "pem",
}) as string;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("readConfig", () => {
  it("keeps only the variables countersign reads, an empty value counting as unset", () => {
    const config = readConfig({ APP_ID: "7", PORT: "", HOME: "/root", LOG_LEVEL: "debug" });
    expect(config).toEqual({ APP_ID: "7", LOG_LEVEL: "debug" });
    expect(Object.isFrozen(config)).toBe(true);
  });
});

describe("gitHubAppSettings", () => {
  it("reads the App id, the key (PEM with literal \\n) and the Enterprise API URL", () => {
    const settings = gitHubAppSettings(
      readConfig({ APP_ID: "7", PRIVATE_KEY: privateKey.replace(/\n/g, "\\n"), GHE_HOST: "ghe.example.com" }),
    );
    expect({ ...settings, privateKey: settings.privateKey.trim() }).toEqual({
      appId: 7,
      privateKey: privateKey.trim(),
      baseUrl: "https://ghe.example.com/api/v3",
    });
  });

  it.each([
    [{ PRIVATE_KEY: "x" }, "APP_ID must be the GitHub App's numeric id"],
    [{ APP_ID: "7" }, "PRIVATE_KEY or PRIVATE_KEY_PATH is required"],
    [{ APP_ID: "7", PRIVATE_KEY: "not a key" }, "PRIVATE_KEY is neither a PEM key nor base64 of one"],
    [
      { APP_ID: "7", PRIVATE_KEY_PATH: "/nonexistent/key.pem" },
      "reading the private key from PRIVATE_KEY_PATH",
    ],
  ])("refuses %j, naming the variable", (env, message) => {
    expect(() => gitHubAppSettings(readConfig(env))).toThrow(message);
  });

  it("never puts the key into its error", () => {
    let message = "";
    try {
      gitHubAppSettings(readConfig({ APP_ID: "7", PRIVATE_KEY: "c2VjcmV0LXZhbHVl" }));
    } catch (error) {
      message = String(error);
    }
    expect(message).not.toContain("c2VjcmV0LXZhbHVl");
  });
});

describe("createClients", () => {
  it("builds an installation client that counts its requests on the shared registry", async () => {
    const scope = nock("https://api.github.com")
      .post("/app/installations/2/access_tokens")
      .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} })
      .get("/repos/acme/deploy")
      .reply(200, { id: 1 }, { "x-ratelimit-remaining": "4321" });
    const clients = createClients(readConfig({ APP_ID: "1", PRIVATE_KEY: privateKey }), {
      log: pino({ level: "silent" }),
    });
    const octokit = await clients.gitHubApp({ installationId: 2 });
    await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "deploy" });
    expect(scope.pendingMocks()).toEqual([]);
    const metrics = await clients.registry.getMetricsAsJSON();
    const remaining = metrics.find((m) => m.name === "countersign_github_rate_limit_remaining");
    expect(remaining?.values[0]?.value).toBe(4321);
  });

  it("asks for the App key only when a GitHub client is wanted", async () => {
    const clients = createClients(readConfig({}), { log: pino({ level: "silent" }) });
    expect(clients.clock.now()).toBeInstanceOf(Date);
    await expect(clients.gitHubApp()).rejects.toThrow("APP_ID must be");
  });
});
