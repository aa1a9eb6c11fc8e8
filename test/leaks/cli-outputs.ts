/**
 * What the command line prints when its input quotes a credential, through the commands' own entry
 * functions (what `countersign plan` and `countersign reconcile` run): `plan` over manifests whose
 * errors quote a value (a `kind` holding it, a YAML line broken around it) and with a policy file
 * broken around one; `reconcile` with a configuration whose problems quote a value (a cron
 * expression) or whose YAML is broken around one. Standard output and standard error are read.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { stringify } from "yaml";
import { runPlan } from "../../src/cli/plan.js";
import { runReconcile } from "../../src/cli/reconcile.js";
import type { Entry } from "./corpus.js";
import type { Rendered } from "./outputs.js";

const oneLine = (e: Entry): boolean => !(e.value ?? "").includes("\n");

/** A manifest whose error quotes `value` (its kind), and one broken around it (its error must not). */
export function invalidManifestFiles(e: Entry, i: number): { path: string; content: string }[] {
  return [
    ...(oneLine(e)
      ? [
          {
            path: `bad/${i}-kind.yaml`,
            content: stringify({
              apiVersion: "acme.io/v1",
              kind: `Widget ${e.value}`,
              metadata: { name: "w", namespace: "apps" },
            }),
          },
        ]
      : []),
    { path: `bad/${i}-yaml.yaml`, content: `kind: ConfigMap\ndata:\n  a: "${e.value ?? ""}\n\tb: [\n` },
  ];
}

const rulePolicy = (expression: string): string =>
  stringify({
    apiVersion: "countersign.dev/v1alpha1",
    kind: "RiskPolicy",
    metadata: { name: "leaks" },
    spec: {
      rules: [
        {
          name: "token-check",
          level: "high",
          reason: "the token changed",
          match: { kinds: ["core/ConfigMap"] },
          expression,
        },
      ],
    },
  });

function sink(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

export async function cliOutputs(entries: readonly Entry[]): Promise<Rendered> {
  const messages = entries.filter((e) => e.message !== undefined);
  const dir = await mkdtemp(join(tmpdir(), "cs-leaks-cli-"));
  try {
    const base = join(dir, "base");
    const head = join(dir, "head");
    await mkdir(base, { recursive: true });
    for (const [i, e] of messages.entries()) {
      for (const f of invalidManifestFiles(e, i)) {
        await mkdir(join(head, "bad"), { recursive: true });
        await writeFile(join(head, f.path), f.content);
      }
    }
    let plan = "";
    for (const output of ["markdown", "json"] as const) {
      const r = await runPlan({ base, head, output });
      plan += r.stdout + r.stderr;
    }
    // A policy file broken around each value, and a rule whose expression compares with it and
    // does not compile (the compiler's message quotes the expression).
    let policy = "";
    for (const [i, e] of messages.entries()) {
      const file = join(dir, `policy-${i}.yaml`);
      await writeFile(file, `rules:\n  - id: token-check\n    match: "${e.value ?? ""}\n\t  level: [\n`);
      policy += (await runPlan({ base, head: base, policy: file })).stderr;
      await writeFile(file, rulePolicy(`object.data.token == ${JSON.stringify(e.value)} &&`));
      policy += (await runPlan({ base, head: base, policy: file })).stderr;
    }

    // `reconcile` with a configuration whose cron expressions are values (quoted, cut to 80).
    const env = { POD_NAMESPACE: "countersign-system" };
    const config = (schedule: string): string =>
      `version: 1\ncluster: prod\nrepository: my-org/gitops\npaths: [clusters/prod]\ngithub: { appId: 123456 }\naudit: { store: "s3://bucket/countersign" }\n${schedule}`;
    let reconcile = "";
    const quoted: Entry[] = [];
    for (const [i, e] of messages.entries()) {
      const file = join(dir, `reconciler-${i}.yaml`);
      const runs = [
        config(`schedule: { pass: ${JSON.stringify(e.value)} }\n`),
        config(`schedule:\n  drift: "${e.value ?? ""}\n  pass: [\n`),
      ];
      for (const text of runs) {
        await writeFile(file, text);
        const stderr = sink();
        const stdout = sink();
        await runReconcile(
          { config: file, once: true },
          { env, stderr: stderr.stream, stdout: stdout.stream },
        );
        reconcile += stderr.text() + stdout.text();
      }
      // The problem quotes the expression's first 80 characters (JSON): a credential that fits.
      const shown = JSON.stringify(e.value).slice(0, 80);
      if (e.needles.some((n) => shown.includes(JSON.stringify(n).slice(1, -1)))) quoted.push(e);
    }
    return {
      outputs: {
        "plan output and stderr": plan,
        "plan stderr (policy error)": policy,
        "reconcile stderr": reconcile,
      },
      routed: { "plan output and stderr": messages.filter(oneLine), "reconcile stderr": quoted },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
