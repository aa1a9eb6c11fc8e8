import { Option } from "commander";
import type { Command } from "commander";
import { loadPolicy } from "../config/policy-files.js";
import { PolicyError, explainPolicy, formatIssue } from "../core/policy/index.js";
import type { RiskPolicy } from "../core/policy/index.js";
import { EXIT } from "./exit-codes.js";
import { exampleResultsToText, explanationToText } from "./policy-output.js";

export interface PolicyCommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExplainOptions {
  path?: string;
  rule?: string;
  output?: "text" | "json";
  countersignNamespace?: string;
}

async function load(
  command: string,
  path: string | undefined,
  namespace: string | undefined,
): Promise<RiskPolicy | PolicyCommandResult> {
  try {
    return await loadPolicy(path, namespace === undefined ? {} : { countersignNamespace: namespace });
  } catch (error) {
    const text =
      error instanceof PolicyError
        ? `invalid policy (${error.issues.length} issue${error.issues.length === 1 ? "" : "s"}):\n${error.issues.map((i) => `  ${formatIssue(i)}`).join("\n")}`
        : error instanceof Error
          ? error.message
          : String(error);
    return { exitCode: EXIT.invalidInput, stdout: "", stderr: `countersign policy ${command}: ${text}\n` };
  }
}

function isResult(value: RiskPolicy | PolicyCommandResult): value is PolicyCommandResult {
  return "exitCode" in value;
}

/** Runs `countersign policy explain` without touching process state. */
export async function runPolicyExplain(options: ExplainOptions): Promise<PolicyCommandResult> {
  const policy = await load("explain", options.path, options.countersignNamespace);
  if (isResult(policy)) return policy;
  const explanation = explainPolicy(policy, options.rule);
  if (options.rule !== undefined && explanation.rules.length === 0) {
    return {
      exitCode: EXIT.invalidInput,
      stdout: "",
      stderr: `countersign policy explain: no rule named "${options.rule}"\n`,
    };
  }
  const stdout =
    options.output === "json" ? `${JSON.stringify(explanation, null, 2)}\n` : explanationToText(explanation);
  return { exitCode: EXIT.ok, stdout, stderr: "" };
}

/** Runs `countersign policy test`: every enabled rule's examples; exit 1 if any fails or the policy is invalid. */
export async function runPolicyTest(options: {
  path?: string;
  countersignNamespace?: string;
}): Promise<PolicyCommandResult> {
  const policy = await load("test", options.path, options.countersignNamespace);
  if (isResult(policy)) return policy;
  const results = policy.testExamples();
  const failed = results.some((r) => !r.passed);
  return {
    exitCode: failed ? EXIT.invalidInput : EXIT.ok,
    stdout: exampleResultsToText(results),
    stderr: "",
  };
}

function emit(result: PolicyCommandResult): void {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

const POLICY_ARGUMENT =
  "a RiskPolicy file or a directory of *.yaml/*.yml (default: the shipped default pack)";
const NAMESPACE_OPTION = [
  "--countersign-namespace <name>",
  "countersign's own namespace (self-protection rules)",
] as const;

/** Registers `countersign policy explain|test`. */
export function registerPolicy(program: Command): void {
  const policy = program
    .command("policy")
    .description("Inspect and test risk policies (the default pack, or your own files on top of it)")
    .addHelpText(
      "after",
      "\nA policy file with `spec.extends: default` is loaded on top of the default pack; without it, it stands alone.\nSee docs/policy.md for the language.",
    );

  policy
    .command("explain")
    .description("Print the levels, their requirements, and every rule: what it matches and its level")
    .argument("[policy]", POLICY_ARGUMENT)
    .option("--rule <name>", "explain only this rule")
    .addOption(new Option("--output <format>", "output format").choices(["text", "json"]).default("text"))
    .option(...NAMESPACE_OPTION)
    .action(
      async (
        path: string | undefined,
        opts: { rule?: string; output: "text" | "json"; countersignNamespace?: string },
      ) => {
        const options: ExplainOptions = { output: opts.output };
        if (path !== undefined) options.path = path;
        if (opts.rule !== undefined) options.rule = opts.rule;
        if (opts.countersignNamespace !== undefined) options.countersignNamespace = opts.countersignNamespace;
        emit(await runPolicyExplain(options));
      },
    );

  policy
    .command("test")
    .description(
      "Run every rule's examples (examples.match must fire, examples.noMatch must not); exit 1 on any failure",
    )
    .argument("[policy]", POLICY_ARGUMENT)
    .option(...NAMESPACE_OPTION)
    .action(async (path: string | undefined, opts: { countersignNamespace?: string }) => {
      const options: { path?: string; countersignNamespace?: string } = {};
      if (path !== undefined) options.path = path;
      if (opts.countersignNamespace !== undefined) options.countersignNamespace = opts.countersignNamespace;
      emit(await runPolicyTest(options));
    });
}
