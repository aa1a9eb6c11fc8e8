import { describe, expect, it } from "vitest";
import {
  added,
  cleanPath,
  containers,
  intOrPercent,
  networkPolicyOpenings,
  parseImage,
  podSpecPath,
  runsAsNonRoot,
} from "../../../src/core/policy/helpers.js";
import { changedFields, onlyChanged, valueAt } from "../../../src/core/policy/field-changes.js";
import { secretEnv } from "../../../src/core/policy/credentials.js";
import { interpolate } from "../../../src/core/policy/interpolate.js";

const pod = { containers: [{ name: "web", image: "x" }], initContainers: [{ name: "init", image: "y" }] };

describe("pod spec helpers", () => {
  it.each([
    // A Pod's spec is the pod spec.
    [{ kind: "Pod", spec: pod }, "spec"],
    // Workloads keep it in the template.
    [{ kind: "DaemonSet", spec: { template: { spec: pod } } }, "spec.template.spec"],
    // CronJobs nest it in the job template.
    [
      { kind: "CronJob", spec: { jobTemplate: { spec: { template: { spec: pod } } } } },
      "spec.jobTemplate.spec.template.spec",
    ],
    // Argo Rollouts keep it in the template like a Deployment.
    [{ kind: "Rollout", spec: { template: { spec: pod } } }, "spec.template.spec"],
    // Anything else has none.
    [{ kind: "ConfigMap" }, undefined],
  ])("podSpecPath(%j)", (object, path) => {
    expect(podSpecPath(object)).toBe(path);
  });

  it("lists containers and init containers with named field paths", () => {
    // Paths use the [name=...] notation of Change.fields.
    expect(containers({ kind: "Deployment", spec: { template: { spec: pod } } }).map((c) => c.path)).toEqual([
      "spec.template.spec.containers[name=web]",
      "spec.template.spec.initContainers[name=init]",
    ]);
  });

  it.each([
    // Pod-level runAsNonRoot covers all containers.
    [{ securityContext: { runAsNonRoot: true }, containers: [{ name: "a" }] }, true],
    // A non-zero runAsUser on the container is enough.
    [{ containers: [{ name: "a", securityContext: { runAsUser: 1000 } }] }, true],
    // One container without either: may run as root.
    [{ containers: [{ name: "a" }] }, false],
    // A container overriding runAsNonRoot to false loses the pod default.
    [
      {
        securityContext: { runAsNonRoot: true },
        containers: [{ name: "a", securityContext: { runAsNonRoot: false } }],
      },
      false,
    ],
  ])("runsAsNonRoot(%j) = %s", (spec, expected) => {
    expect(runsAsNonRoot({ kind: "Pod", spec })).toBe(expected);
  });
});

describe("changedFields", () => {
  it.each([
    // Named list elements are matched by name, not index.
    [
      {
        spec: {
          c: [
            { name: "a", image: "1" },
            { name: "b", image: "1" },
          ],
        },
      },
      {
        spec: {
          c: [
            { name: "b", image: "2" },
            { name: "a", image: "1" },
          ],
        },
      },
      ["spec.c[name=b].image"],
    ],
    // Keys that are not identifiers are quoted.
    [
      { metadata: { labels: { "app.kubernetes.io/name": "x" } } },
      { metadata: { labels: { "app.kubernetes.io/name": "y" } } },
      ['metadata.labels["app.kubernetes.io/name"]'],
    ],
    // Unnamed lists compare by index; removed keys count.
    [{ a: [1, 2], b: 1 }, { a: [1, 3] }, ["a[1]", "b"]],
    // Identical objects: nothing changed.
    [{ a: { b: 1 } }, { a: { b: 1 } }, []],
  ])("%j → %j", (before, after, fields) => {
    expect(changedFields(before, after)).toEqual(fields);
  });
});

describe("parseImage", () => {
  it.each([
    // Docker Hub short names get the registry and library/ prefix.
    ["nginx", { registry: "docker.io", repository: "library/nginx", tag: "", digest: "" }],
    // A registry with a port is not a tag.
    [
      "registry.example.com:5000/team/web:1.2",
      { registry: "registry.example.com:5000", repository: "team/web", tag: "1.2", digest: "" },
    ],
    // Tag and digest together.
    ["ghcr.io/a/b:1@sha256:abc", { registry: "ghcr.io", repository: "a/b", tag: "1", digest: "sha256:abc" }],
    // Docker Hub's other names are the same registry (no false "registry changed").
    ["index.docker.io/nginx:1", { registry: "docker.io", repository: "library/nginx", tag: "1", digest: "" }],
    [
      "registry-1.docker.io/acme/web:2",
      { registry: "docker.io", repository: "acme/web", tag: "2", digest: "" },
    ],
    // Registry host names are case-insensitive.
    ["GHCR.io/a/b:1", { registry: "ghcr.io", repository: "a/b", tag: "1", digest: "" }],
  ])("%s", (image, ref) => {
    expect(parseImage(image)).toEqual(ref);
  });
});

describe("small helpers", () => {
  it.each([
    [3, 3],
    ["50%", 50],
    ["x", -1],
  ])("intOrPercent(%j) = %d", (value, expected) => {
    // intOrString values compare as numbers.
    expect(intOrPercent(value)).toBe(expected);
  });

  it("finds allow-all NetworkPolicy peers", () => {
    // No peers, an empty peer and 0.0.0.0/0 are openings; a pod selector is not.
    const np = {
      spec: {
        ingress: [{ ports: [{ port: 80 }] }, { from: [{}, { podSelector: { matchLabels: { a: "b" } } }] }],
        egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
      },
    };
    expect(networkPolicyOpenings(np)).toEqual([
      "spec.ingress[0].from",
      "spec.ingress[1].from[0]",
      "spec.egress[0].to[0].ipBlock.cidr",
    ]);
  });
});

describe("added", () => {
  it.each([
    // Elements compared by value, keys in any order; the index is the one in the new list.
    [
      [{ kind: "User", name: "a" }],
      [
        { name: "a", kind: "User" },
        { kind: "User", name: "b" },
      ],
      [1],
    ],
    // Nothing old: everything is new.
    [null, ["x", "y"], [0, 1]],
    // Not a list: nothing new.
    [["x"], "x", []],
  ])("added(%j, %j)", (before, after, indexes) => {
    expect(added(before, after).map((e) => e.index)).toEqual(indexes);
  });
});

describe("cleanPath", () => {
  it.each([
    // The node's root in disguise.
    ["/.", "/"],
    ["//", "/"],
    // Dot segments, doubled and trailing slashes collapse.
    ["//./etc/", "/etc"],
    // .. is applied (the API server refuses it, but the rule must not depend on that).
    ["/var/log/../run/docker.sock", "/var/run/docker.sock"],
    ["/..", "/"],
    // A relative path is left alone.
    ["data", "data"],
  ])("%s → %s", (path, expected) => {
    expect(cleanPath(path)).toBe(expected);
  });
});

describe("networkPolicyOpenings peers", () => {
  it.each([
    // Both selectors empty: every pod of every namespace.
    [{ namespaceSelector: {}, podSelector: {} }, ["spec.ingress[0].from[0].namespaceSelector"]],
    // An empty namespaceSelector with a real podSelector is narrower: not an opening.
    [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "web" } } }, []],
    // The internet in halves is as open as 0.0.0.0/0.
    [{ ipBlock: { cidr: "128.0.0.0/1" } }, ["spec.ingress[0].from[0].ipBlock.cidr"]],
    // Any address with prefix length 0 is the whole space.
    [{ ipBlock: { cidr: "0:0:0:0:0:0:0:0/0" } }, ["spec.ingress[0].from[0].ipBlock.cidr"]],
    // The widest private range is not an opening.
    [{ ipBlock: { cidr: "10.0.0.0/8" } }, []],
    // A cidr of the wrong type (the API server rejects it) is not an opening and does not throw.
    [{ ipBlock: { cidr: 0 } }, []],
  ])("%j", (peer, expected) => {
    expect(networkPolicyOpenings({ spec: { ingress: [{ from: [peer] }] } })).toEqual(expected);
  });
});

describe("interpolate", () => {
  it.each([
    // Known names are replaced.
    ["container {{c}} runs", { c: "web" }, "container web runs"],
    // Unknown names stay visible rather than vanish.
    ["{{missing}}", {}, "{{missing}}"],
    // Substituted text is not re-scanned (no template injection).
    ["{{a}}", { a: "{{b}}", b: "boom" }, "{{b}}"],
    // Newlines cannot forge extra report lines.
    ["x={{a}}", { a: "1\n## fake heading" }, "x=1 ## fake heading"],
    // Long values are cut.
    ["{{a}}", { a: "z".repeat(500) }, `${"z".repeat(119)}…`],
    // Numbers and lists are rendered as text.
    ["{{n}} {{l}}", { n: 3, l: ["a", "b"] }, '3 ["a","b"]'],
  ])("%s with %j", (template, values, expected) => {
    expect(interpolate(template, values)).toBe(expected);
  });
});

describe("onlyChanged", () => {
  const d = (image: string, labels: Record<string, string> = {}, replicas = 1) => ({
    metadata: { name: "d", labels },
    spec: {
      replicas,
      template: {
        spec: {
          containers: [
            { name: "web", image },
            { name: "side", image: "s:1" },
          ],
        },
      },
    },
  });
  it.each([
    // Only a label changed: inside the prefix.
    [d("a:1"), d("a:1", { x: "y" }), ["metadata.labels"], true],
    // A label and replicas changed: a difference outside the prefix.
    [d("a:1"), d("a:1", { x: "y" }, 2), ["metadata.labels"], false],
    // Nothing changed at all: not "only changed".
    [d("a:1"), d("a:1"), ["metadata.labels"], false],
    // Images under named containers, matched with *.
    [d("a:1"), d("a:2"), ["spec.template.spec.containers.*.image"], true],
    // An image change is outside a labels-only prefix.
    [d("a:1"), d("a:2"), ["metadata.labels"], false],
  ])("%j → %j under %j", (before, after, prefixes, expected) => {
    expect(onlyChanged(before, after, prefixes)).toBe(expected);
  });
});

describe("secretEnv heuristics", () => {
  const one = (name: string, value: string) =>
    secretEnv({ kind: "Pod", spec: { containers: [{ name: "web", env: [{ name, value }] }] } }).length;
  it.each([
    // A literal password is reported.
    ["DB_PASSWORD", "hunter2", 1],
    // A numeric password is still a password.
    ["DB_PASSWORD", "123456", 1],
    // A reference to another env var is not a literal.
    ["PGPASSWORD", "$(DB_PASSWORD)", 0],
    // A file path names where the credential is, not the credential.
    ["AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token", 0],
    // Switches and durations under credential-like names are settings.
    ["AUTH_ENABLED", "true", 0],
    ["TOKEN_TTL_SECONDS", "3600", 0],
    // A name that points at a credential: its value is a name or a file.
    ["SECRET_NAME", "db-credentials", 0],
    ["GOOGLE_CREDENTIALS_FILE", "gcp.json", 0],
    // ...but a known credential format is reported whatever the name.
    ["KEY_FILE", "AKIAIOSFODNN7EXAMPLE", 1],
    // A URL with a password in it, whatever the name.
    ["DATABASE_URL", "postgres://app:s3cret@db:5432/app", 1],
    // ...unless the password is a reference.
    ["DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db:5432/app", 0],
    // A URL without a password is not a credential.
    ["SERVICE_URL", "https://api.example.com:8443/v1", 0],
  ])("%s=%s → %d", (name, value, expected) => {
    expect(one(name, value)).toBe(expected);
  });
});

describe("secretEnv", () => {
  it("finds literal credentials by name or format, never returning values", () => {
    // DB_PASSWORD by name, an AWS key id by format; valueFrom and harmless names are ignored.
    const pod = {
      kind: "Pod",
      spec: {
        containers: [
          {
            name: "web",
            env: [
              { name: "DB_PASSWORD", value: "hunter2" },
              { name: "KEY_ID", value: "AKIAIOSFODNN7EXAMPLE" },
              { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "t", key: "t" } } },
              { name: "LOG_LEVEL", value: "debug" },
            ],
          },
        ],
      },
    };
    const found = secretEnv(pod);
    expect(found).toEqual([
      { path: "spec.containers[name=web].env[name=DB_PASSWORD].value", container: "web", env: "DB_PASSWORD" },
      { path: "spec.containers[name=web].env[name=KEY_ID].value", container: "web", env: "KEY_ID" },
    ]);
    expect(JSON.stringify(found)).not.toContain("hunter2");
  });
});

describe("valueAt", () => {
  const obj = {
    metadata: { annotations: { "a.b/c": "x" } },
    spec: { containers: [{ name: "web", image: "w:1" }], rules: [{ verbs: ["get"] }] },
  };
  it.each([
    // Named list elements.
    ["spec.containers[name=web].image", { found: true, value: "w:1" }],
    // Quoted keys.
    ['metadata.annotations["a.b/c"]', { found: true, value: "x" }],
    // Indexes.
    ["spec.rules[0].verbs", { found: true, value: ["get"] }],
    // An absent element resolves to undefined, not an error.
    ["spec.containers[name=nope].image", { found: true, value: undefined }],
    // Malformed paths are reported, so callers can fail closed.
    ["spec..x", { found: false }],
    ["spec[", { found: false }],
  ])("%s", (path, expected) => {
    expect(valueAt(obj, path)).toEqual(expected);
  });
});
