import { describe, expect, it } from "vitest";
import { parseReconcilerConfig, ReconcilerConfigError } from "../../src/reconciler/config.js";

const MINIMAL = `version: 1
cluster: prod
repository: my-org/gitops
paths: [clusters/prod]
github: { appId: 123456 }
audit: { store: "s3://bucket/countersign" }
`;
const env = { POD_NAMESPACE: "countersign-system" };

function problems(text: string, environment: NodeJS.ProcessEnv = env): string[] {
  try {
    parseReconcilerConfig(text, "reconciler.yaml", environment);
  } catch (error) {
    if (error instanceof ReconcilerConfigError) return error.problems.map((p) => `${p.field}: ${p.message}`);
    throw error;
  }
  return [];
}

describe("parseReconcilerConfig", () => {
  it("fills the documented defaults", () => {
    expect(parseReconcilerConfig(MINIMAL, "reconciler.yaml", env)).toEqual({
      version: 1,
      cluster: "prod",
      repository: { owner: "my-org", repo: "gitops" },
      branch: "main",
      paths: ["clusters/prod"],
      github: { appId: 123456 },
      kubernetes: { mode: "in-cluster" },
      audit: { store: "s3://bucket/countersign", spool: "/var/lib/countersign/spool" },
      schedule: { pass: "*/30 * * * * *", drift: "*/10 * * * *" },
      apply: { concurrency: 8, crdEstablishedTimeoutSeconds: 60 },
      manage: { namespaces: [], kinds: [] },
      leaderElection: {
        enabled: true,
        namespace: "countersign-system",
        leaseName: "countersign-reconciler",
        leaseDurationSeconds: 15,
      },
      inventory: { namespace: "countersign-system", name: "countersign-inventory" },
      server: { port: 8080 },
      logLevel: "info",
      historyLimit: 500,
    });
  });

  it("reads EKS access", () => {
    const config = parseReconcilerConfig(
      `${MINIMAL}kubernetes:\n  mode: eks\n  eks: { clusterName: prod, region: eu-west-1, endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com", caData: Zm9v, roleArn: "arn:aws:iam::123456789012:role/countersign-apply" }\n`,
      "r.yaml",
      env,
    );
    expect(config.kubernetes).toEqual({
      mode: "eks",
      clusterName: "prod",
      region: "eu-west-1",
      endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
      caData: "Zm9v",
      roleArn: "arn:aws:iam::123456789012:role/countersign-apply",
    });
  });

  it.each([
    // every problem is named by its field
    ["cluster: Prod!", ["cluster: must be a cluster name"]],
    ["repository: not-a-repo", ["repository: must be owner/name"]],
    ["paths: []", ["paths: must be a non-empty list"]],
    ["paths: [../etc]", ["paths.0:"]],
    ["github: { appId: -1 }", ["github.appId: must be an integer"]],
    ["audit: { store: http://x }", ["audit.store: must be s3://bucket/prefix or file:///path"]],
    ['schedule: { pass: "every minute" }', ["schedule.pass: is not a valid cron expression"]],
    ["apply: { concurrency: 0 }", ["apply.concurrency: must be an integer from 1 to 64"]],
    ['manage: { kinds: ["Deployment"] }', ['manage.kinds.0: must be a "group/Kind"']],
    ["kubernetes: { mode: eks }", ["kubernetes.eks: is required in eks mode"]],
    ["surprise: 1", ["surprise: unknown field"]],
    ["version: 2", ["version: must be 1"]],
  ])("%s", (line, expected) => {
    const key = line.split(":")[0] as string;
    const text =
      MINIMAL.split("\n")
        .filter((l) => !l.startsWith(`${key}:`))
        .join("\n") + `\n${line}\n`;
    const found = problems(text);
    for (const e of expected) expect(found.some((p) => p.startsWith(e))).toBe(true);
  });

  it("needs a namespace for the inventory and the lease without POD_NAMESPACE", () => {
    expect(problems(MINIMAL, {})).toEqual([
      "inventory.namespace: is required when POD_NAMESPACE is not set",
      "leaderElection.namespace: is required when POD_NAMESPACE is not set",
    ]);
  });

  it("refuses duplicate keys and says on which line", () => {
    const error = (() => {
      try {
        parseReconcilerConfig(`${MINIMAL}cluster: again\n`, "r.yaml", env);
      } catch (e) {
        return e as ReconcilerConfigError;
      }
      return undefined;
    })();
    expect(error?.problems[0]?.line).toBe(7);
  });
});
