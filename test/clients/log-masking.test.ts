import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/clients/logger.js";
import { WITHHELD } from "../../src/clients/log-masking.js";
import { createMasker } from "../../src/core/mask/masker.js";
import type { Masker } from "../../src/core/mask/types.js";

// Built at run time so no credential-shaped literal sits in the repository.
const TOKEN = `ghp_${"Ab3".repeat(12)}`;
const PASSWORD = `Tr0ub4dor${"&x9".repeat(3)}`;

function capture(masker?: Masker) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger({
    level: "debug",
    destination,
    ...(masker === undefined ? {} : { masker }),
  });
  return { log, lines, raw: () => JSON.stringify(lines) };
}

describe("the logger masks every line", () => {
  it("masks the message, an interpolated argument and every string field", () => {
    const { log, lines, raw } = capture();
    log.info(`pulled with ${TOKEN}`);
    log.warn("retrying with %s", TOKEN);
    log.error({ error: `422 Invalid value: "${TOKEN}"`, nested: { list: [`x ${TOKEN}`] } }, "failed");
    log.info({ password: PASSWORD }, "password=%s", PASSWORD);
    expect(lines).toHaveLength(4);
    expect(raw()).not.toContain(TOKEN);
    expect(raw()).not.toContain(PASSWORD);
    expect(lines[0]?.["msg"]).toMatch(/^pulled with <masked fp:[0-9a-f]+>$/);
    expect(lines[2]?.["msg"]).toBe("failed");
  });

  it("masks an error logged as the first argument, its properties and its cause", () => {
    const { log, lines, raw } = capture();
    const cause = new Error(`connect failed for https://ci:${PASSWORD}@registry.example.com`);
    const error = Object.assign(new Error(`rejected ${TOKEN}`, { cause }), {
      status: 422,
      response: { data: { message: `Invalid value: "${TOKEN}"` } },
    });
    log.error(error);
    log.error({ err: error }, "request failed");
    expect(raw()).not.toContain(TOKEN);
    expect(raw()).not.toContain(PASSWORD);
    expect(lines[0]).toMatchObject({
      err: { type: "Error", status: 422 },
      msg: expect.stringContaining("rejected <masked"),
    });
    expect((lines[1]?.["err"] as { cause?: { message?: string } }).cause?.message).toContain("<masked fp:");
  });

  it("child loggers (Probot's, Octokit's) inherit the masking", () => {
    const { log, raw } = capture();
    log.child({ component: "github" }).warn(`quota exhausted for GET /x?access_token=${TOKEN}`);
    log.child({ name: "probot" }).child({ id: "1" }).error({ body: TOKEN }, "webhook");
    expect(raw()).toContain("quota exhausted");
    expect(raw()).not.toContain(TOKEN);
  });

  it("leaves masked text, plain lines and numbers as they are, and keeps redacting named fields", () => {
    const masker = createMasker({ fingerprintKey: "k" });
    const { log, lines } = capture(masker);
    const masked = masker.maskText(`token ${TOKEN}`);
    log.info({ count: 3, ok: true, sha: "a".repeat(40), error: masked }, "applied 3 objects to prod");
    log.info({ headers: { authorization: "x" }, token: "short" }, "call");
    expect(lines[0]).toMatchObject({ count: 3, ok: true, sha: "a".repeat(40), error: masked });
    expect(lines[0]?.["msg"]).toBe("applied 3 objects to prod");
    expect(lines[1]?.["token"]).toBe("[redacted]");
  });

  it("withholds a line whose masking fails (fail closed)", () => {
    const broken: Masker = {
      maskText: () => {
        throw new Error("scanner bug");
      },
      maskObject: () => {
        throw new Error("scanner bug");
      },
      fingerprint: () => "0",
    };
    const { log, lines, raw } = capture(broken);
    log.error({ error: TOKEN }, `failed ${TOKEN}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.["msg"]).toBe(WITHHELD);
    expect(raw()).not.toContain(TOKEN);
  });

  it("survives cycles, deep objects, buffers and odd values", () => {
    const { log, lines } = capture();
    const cyclic: Record<string, unknown> = { name: "a" };
    cyclic["self"] = cyclic;
    let deep: Record<string, unknown> = { leaf: TOKEN };
    for (let i = 0; i < 50; i++) deep = { deep };
    log.info({ cyclic, deep, buf: Buffer.from("xyz"), n: 10n, f: () => 1, when: new Date(0) }, "odd");
    expect(lines[0]).toMatchObject({
      cyclic: { name: "a", self: "[circular]" },
      buf: "[3 bytes]",
      n: "10",
      when: "1970-01-01T00:00:00.000Z",
    });
  });
});
