/**
 * The two countersign processes as an operator runs them: `countersign gate` (a long-running
 * server, fed signed webhooks) and `countersign reconcile` / `countersign audit` (one-shot runs),
 * each a child process of the CLI entry with its production configuration from the environment
 * and a config file. The CLI runs from source through tsx, so the test always runs the code under
 * test (a stale dist/ cannot mask a change); the code and configuration are those of the image.
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";

const CLI = ["--import", "tsx", "src/cli/index.ts"];

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `countersign <args>` to its end. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A running `countersign gate`: its port, everything it logged, and a way to send it webhooks. */
export class GateProcess {
  #deliveries = 0;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly port: number,
    private readonly secret: string,
    output: () => string,
  ) {
    this.#logs = output;
  }

  readonly #logs: () => string;

  /** Everything the gate wrote to stdout and stderr so far. */
  get output(): string {
    return this.#logs();
  }

  /** Starts the gate on a free port of 127.0.0.1 and resolves once it listens. */
  static start(env: NodeJS.ProcessEnv, webhookSecret: string): Promise<GateProcess> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...CLI, "gate", "--host", "127.0.0.1", "--port", "0"], {
        env: { ...env, WEBHOOK_SECRET: webhookSecret },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let output = "";
      let started = false;
      const onData = (c: Buffer): void => {
        output += c.toString("utf8");
        if (started) return;
        const line = output.split("\n").find((l) => l.includes("countersign gate listening"));
        if (line === undefined) return;
        started = true;
        const { port } = JSON.parse(line) as { port: number };
        resolve(new GateProcess(child, port, webhookSecret, () => output));
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("error", reject);
      child.on("close", (code) => {
        if (!started) reject(new Error(`countersign gate exited (${code}) before listening:\n${output}`));
      });
    });
  }

  /** Delivers one webhook, signed with the App's secret as GitHub signs it; resolves with the HTTP status. */
  async deliver(event: string, payload: object, signature?: string): Promise<number> {
    const body = JSON.stringify(payload);
    const response = await fetch(`http://127.0.0.1:${this.port}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": `${++this.#deliveries}-${randomUUID()}`,
        "x-hub-signature-256":
          signature ?? `sha256=${createHmac("sha256", this.secret).update(body).digest("hex")}`,
      },
      body,
    });
    await response.text();
    return response.status;
  }

  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve(this.child.exitCode);
      this.child.once("close", (code) => resolve(code));
      this.child.kill("SIGTERM");
    });
  }
}

/** Polls `probe` until it returns a value (not undefined), failing with `what` after `attempts`. */
export async function eventually<T>(what: string, probe: () => T | undefined, attempts = 600): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`waited in vain for ${what}`);
}
