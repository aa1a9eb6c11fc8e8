/**
 * Hand-built plans for the report tests: ManifestObjects built directly (no parser), fixed digests.
 */
import type {
  Change,
  ClassifiedChange,
  FieldDelta,
  Finding,
  KubeObject,
  ManifestObject,
  Operation,
  Plan,
  RiskLevel,
} from "../../../src/core/model.js";

const DIGEST = (n: number): string => n.toString(16).padStart(64, "0");

export function manifest(object: KubeObject, file: string, line: number, digest = 1): ManifestObject {
  const apiVersion = String(object["apiVersion"]);
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const meta = (object["metadata"] ?? {}) as Record<string, string>;
  const kind = String(object["kind"]);
  const namespace = meta["namespace"] ?? "";
  const name = meta["name"] ?? "";
  return {
    key: `${group}/${kind}/${namespace}/${name}`,
    group: group ?? "",
    version: version ?? "",
    apiVersion,
    kind,
    namespace,
    name,
    object,
    digest: DIGEST(digest),
    source: { file, line },
  };
}

export function change(
  op: Operation,
  before: ManifestObject | undefined,
  after: ManifestObject | undefined,
  deltas: FieldDelta[] = [],
): Change {
  const m = (after ?? before) as ManifestObject;
  const c: Change = {
    key: m.key,
    op,
    group: m.group,
    kind: m.kind,
    namespace: m.namespace,
    name: m.name,
    fields: [...new Set(deltas.map((d) => d.path))].sort(),
    deltas,
  };
  if (before !== undefined) c.before = before;
  if (after !== undefined) c.after = after;
  return c;
}

export function classified(c: Change, level: RiskLevel, findings: Finding[] = []): ClassifiedChange {
  return { change: c, level, findings };
}

export function plan(changes: ClassifiedChange[], extra: Partial<Plan> = {}): Plan {
  const level = changes.reduce<RiskLevel>(
    (acc, c) =>
      ["low", "medium", "high", "critical"].indexOf(c.level) >
      ["low", "medium", "high", "critical"].indexOf(acc)
        ? c.level
        : acc,
    "low",
  );
  return {
    changeSet: { changes: changes.map((c) => c.change), unchanged: 40, digest: DIGEST(0xc5) },
    classification: {
      level,
      requirement: { approvals: 2, teams: ["org/sre"], users: ["alice"], auto: false },
      changes,
      policyDigest: DIGEST(0x90),
    },
    skipped: [],
    errors: [],
    ...extra,
  };
}

const deployment = (image: string, password: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "prod" },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          {
            name: "web",
            image,
            env: [
              { name: "LOG_LEVEL", value: "info" },
              { name: "DB_PASSWORD", value: password },
            ],
          },
        ],
      },
    },
  },
});

const secret = (password: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name: "db",
    namespace: "prod",
    annotations: {
      "kubectl.kubernetes.io/last-applied-configuration": `{"data":{"password":"${password}"}}`,
    },
  },
  type: "Opaque",
  data: { password, username: "YXBw" },
});

/** The main fixture: a Secret change, a Deployment with an image bump and a new env password, a ConfigMap with a pasted token, a Namespace deletion. */
export function samplePlan(): Plan {
  const secretChange = change(
    "update",
    manifest(secret("b2xkLXB3"), "clusters/prod/db-secret.yaml", 1, 2),
    manifest(secret("bmV3LXB3"), "clusters/prod/db-secret.yaml", 1, 3),
    [
      { path: "data.password", op: "replace", before: "b2xkLXB3", after: "bmV3LXB3" },
      {
        path: 'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]',
        op: "replace",
        before: '{"data":{"password":"b2xkLXB3"}}',
        after: '{"data":{"password":"bmV3LXB3"}}',
      },
    ],
  );
  const deployChange = change(
    "update",
    manifest(deployment("registry.example.com/web:1.2.3", "old-password"), "clusters/prod/web.yaml", 3, 4),
    manifest(deployment("registry.example.com/web:1.2.4", "hunter2"), "clusters/prod/web.yaml", 3, 5),
    [
      {
        path: "spec.template.spec.containers[name=web].image",
        op: "replace",
        before: "registry.example.com/web:1.2.3",
        after: "registry.example.com/web:1.2.4",
      },
      {
        path: "spec.template.spec.containers[name=web].env[name=DB_PASSWORD].value",
        op: "replace",
        before: "old-password",
        after: "hunter2",
      },
    ],
  );
  const configChange = change(
    "create",
    undefined,
    manifest(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "settings", namespace: "prod" },
        data: { "app.properties": "level=info\nslack=xoxb-123456789012-abcdefABCDEF" },
      },
      "clusters/prod/settings.yaml",
      1,
      6,
    ),
  );
  const nsChange = change(
    "delete",
    manifest(
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "legacy" } },
      "clusters/legacy.yaml",
      1,
      7,
    ),
    undefined,
  );
  return plan(
    [
      classified(nsChange, "critical", [
        {
          rule: "namespace-deletion",
          level: "critical",
          reason: "deletes Namespace legacy and everything in it",
        },
      ]),
      classified(configChange, "low"),
      classified(secretChange, "medium", [
        { rule: "secret-change", level: "medium", reason: "changes Secret prod/db", path: "data.password" },
      ]),
      classified(deployChange, "high", [
        {
          rule: "literal-secret-env",
          level: "high",
          reason: "literal value for sensitive env DB_PASSWORD",
          path: "spec.template.spec.containers[name=web].env[name=DB_PASSWORD].value",
        },
        { rule: "image-tag-bump", level: "low", reason: "image tag bump within registry.example.com/web" },
      ]),
    ],
    {
      skipped: [
        { file: "clusters/prod/notes.yaml", line: 1, reason: "no apiVersion/kind: not a Kubernetes object" },
      ],
      errors: [
        {
          file: "clusters/prod/broken.yaml",
          line: 7,
          message: "parse error near password=hunter2: bad indentation",
        },
      ],
    },
  );
}
