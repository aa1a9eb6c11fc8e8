import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { gateInput, shutdownTimeoutMs } from "../../src/cli/gate.js";
import { buildProgram } from "../../src/cli/program.js";

describe("countersign gate", () => {
  it("lists every environment variable in --help", async () => {
    const program = buildProgram();
    let out = "";
    program.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
    const gate = program.commands.find((c) => c.name() === "gate");
    gate?.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
    await expect(program.parseAsync(["node", "countersign", "gate", "--help"])).rejects.toBeInstanceOf(
      CommanderError,
    );
    for (const name of [
      "APP_ID",
      "PRIVATE_KEY",
      "PRIVATE_KEY_PATH",
      "WEBHOOK_SECRET",
      "PORT",
      "LOG_LEVEL",
      "GHE_HOST",
      "GHE_PROTOCOL",
      "COUNTERSIGN_FINGERPRINT_KEY",
    ]) {
      expect(out).toContain(name);
    }
    expect(out).toContain("/metrics");
  });

  it.each([
    // A flag wins over the environment.
    [{ PORT: "4000" }, { port: "5000" }, { PORT: "5000" }],
    // The environment is used when no flag is given.
    [{ APP_ID: "7", GHE_HOST: "ghe.example.com" }, {}, { APP_ID: "7", GHE_HOST: "ghe.example.com" }],
    // --private-key-path wins over a PRIVATE_KEY in the environment.
    [{ PRIVATE_KEY: "pem" }, { privateKeyPath: "/k.pem" }, { PRIVATE_KEY_PATH: "/k.pem" }],
  ])("merges env %j and flags %j", (env, flags, expected) => {
    expect(gateInput(env, flags)).toEqual(expected);
  });

  it.each([
    [undefined, 20_000],
    ["", 20_000],
    ["5", 5_000],
    ["0.5", 500],
  ])("SHUTDOWN_TIMEOUT_SECONDS=%j is %i ms", (value, ms) => {
    expect(shutdownTimeoutMs(value)).toBe(ms);
  });

  it.each(["-1", "soon", "100000"])("refuses SHUTDOWN_TIMEOUT_SECONDS=%j, naming it", (value) => {
    expect(() => shutdownTimeoutMs(value)).toThrow("SHUTDOWN_TIMEOUT_SECONDS must be");
  });
});
