/**
 * `countersign gate` run as a child process, as a container runs it: on SIGTERM it stops
 * accepting connections, finishes the evaluation in progress (bounded) and exits 0.
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { pullRequestPayload, sha, testPrivateKey, WEBHOOK_SECRET } from "../gate/harness.js";

const CLI = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));

/** GitHub, faked: the configuration read is held until `release`, every request is recorded. */
class HeldGitHub {
  readonly requests: string[] = [];
  readonly checkRuns: Record<string, unknown>[] = [];
  #release: (() => void) | undefined;
  readonly #held: Promise<void>;
  #configAsked: (() => void) | undefined;
  readonly configAsked = new Promise<void>((resolve) => (this.#configAsked = resolve));
  server: Server | undefined;

  constructor() {
    this.#held = new Promise<void>((resolve) => (this.#release = resolve));
  }

  release(): void {
    this.#release?.();
  }

  async start(): Promise<number> {
    this.server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? "";
    this.requests.push(`${req.method} ${path}`);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (path.endsWith("/access_tokens")) {
      return send(201, { token: "ghs_shutdown", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    }
    if (path.includes("/contents/")) {
      this.#configAsked?.();
      await this.#held;
      // An invalid configuration: the gate fails the check, one more request to observe.
      const content = Buffer.from("version: 99\n").toString("base64");
      return send(200, { type: "file", encoding: "base64", content });
    }
    if (req.method === "POST" && path.endsWith("/check-runs")) {
      this.checkRuns.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
      return send(201, { id: 1 });
    }
    return send(404, { message: "Not Found" });
  }
}

interface RunningGate {
  child: ChildProcessWithoutNullStreams;
  port: number;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
  waitForLog(msg: string): Promise<void>;
}

async function startGateProcess(githubPort: number, env: Record<string, string> = {}): Promise<RunningGate> {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "gate"], {
    env: {
      PATH: process.env.PATH ?? "",
      APP_ID: "1",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET,
      PORT: "0",
      HOST: "127.0.0.1",
      GHE_HOST: `127.0.0.1:${githubPort}`,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
      ...env,
    },
  });
  const lines: Record<string, unknown>[] = [];
  const watchers: { msg: string; resolve: () => void }[] = [];
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(line);
      for (const w of watchers.filter((x) => x.msg === line["msg"])) w.resolve();
    }
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitForLog = (msg: string): Promise<void> =>
    lines.some((l) => l["msg"] === msg)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          watchers.push({ msg, resolve });
          void exited.then((code) => reject(new Error(`gate exited (${code}) before "${msg}": ${stderr}`)));
        });
  await waitForLog("countersign gate listening");
  const port = Number(lines.find((l) => l["msg"] === "countersign gate listening")?.["port"]);
  return { child, port, lines, exited, waitForLog };
}

function deliverOpened(port: number): Promise<Response> {
  const body = JSON.stringify(pullRequestPayload({ head: sha("head"), base: sha("base") }));
  return fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": "shutdown-1",
      "x-hub-signature-256": `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`,
    },
    body,
  });
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe("countersign gate, graceful shutdown", () => {
  it("on SIGTERM stops accepting, finishes the evaluation in progress, and exits 0", async () => {
    const github = new HeldGitHub();
    const gate = await startGateProcess(await github.start());
    cleanup = async () => {
      github.release();
      gate.child.kill("SIGKILL");
      await new Promise<void>((resolve) => github.server?.close(() => resolve()));
    };
    const delivered = deliverOpened(gate.port);
    await github.configAsked;
    gate.child.kill("SIGTERM");
    await gate.waitForLog("stopping: finishing evaluations in progress");
    // No new connection is accepted once stopping.
    await expect(fetch(`http://127.0.0.1:${gate.port}/healthz`)).rejects.toThrow();
    expect(github.checkRuns).toEqual([]);
    github.release();
    expect(await gate.exited).toBe(0);
    // The evaluation that was in progress ran to its end: the check run was published.
    expect(github.checkRuns).toHaveLength(1);
    expect(github.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect((await delivered).ok).toBe(true);
  }, 120_000);

  it("abandons an evaluation that outlasts SHUTDOWN_TIMEOUT_SECONDS, says so, and still exits 0", async () => {
    const github = new HeldGitHub();
    const gate = await startGateProcess(await github.start(), { SHUTDOWN_TIMEOUT_SECONDS: "1" });
    cleanup = async () => {
      github.release();
      gate.child.kill("SIGKILL");
      await new Promise<void>((resolve) => github.server?.close(() => resolve()));
    };
    void deliverOpened(gate.port).catch(() => undefined);
    await github.configAsked;
    gate.child.kill("SIGTERM");
    expect(await gate.exited).toBe(0);
    expect(gate.lines.map((l) => l["msg"])).toContain(
      "stopping: evaluations still in progress were abandoned (their PRs keep their previous check run)",
    );
    expect(github.checkRuns).toEqual([]);
  }, 120_000);
});
