import { describe, expect, it } from "vitest";
import { createMasker } from "../../../src/core/mask/masker.js";
import type { KubeObject } from "../../../src/core/model.js";

const masker = createMasker({ fingerprintKey: "test-key" });
const MASKED = /^<masked fp:[0-9a-f]{12}>$/;

/** Reads a value at a path of keys/indexes. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let v = value;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const podSpec = (): Record<string, unknown> => ({
  containers: [
    {
      name: "web",
      image: "repo/web:1.2.3",
      env: [
        { name: "DB_PASSWORD", value: "hunter2" },
        { name: "KEYBOARD", value: "us" },
        { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "api", key: "token" } } },
      ],
    },
  ],
  initContainers: [{ name: "init", env: [{ name: "SECRET_KEY", value: "abc" }] }],
  ephemeralContainers: [{ name: "debug", env: [{ name: "AUTH", value: "xyz" }] }],
});

describe("maskObject", () => {
  it.each([
    // Secret data values: all masked, keys kept.
    [
      "secret data",
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s" },
        data: { password: "aHVudGVyMg==", user: "Ym9i" },
      },
      [
        ["data", "password"],
        ["data", "user"],
      ],
    ],
    // Secret stringData values.
    [
      "secret stringData",
      { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { "config.yaml": "a: b" } },
      [["stringData", "config.yaml"]],
    ],
    // The last-applied annotation, wholesale.
    [
      "last-applied",
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"a":"b"}}' },
        },
      },
      [["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]],
    ],
    // An annotation that looks like JSON but is not: fail closed.
    [
      "broken embedded json",
      { kind: "X", metadata: { annotations: { "x/y": "{not json" } } },
      [["metadata", "annotations", "x/y"]],
    ],
    // Env of a bare Pod, its initContainers and ephemeralContainers.
    [
      "pod env",
      { apiVersion: "v1", kind: "Pod", spec: podSpec() },
      [
        ["spec", "containers", 0, "env", 0, "value"],
        ["spec", "initContainers", 0, "env", 0, "value"],
        ["spec", "ephemeralContainers", 0, "env", 0, "value"],
      ],
    ],
    // Env in a Deployment's template.
    [
      "deployment env",
      { apiVersion: "apps/v1", kind: "Deployment", spec: { template: { spec: podSpec() } } },
      [["spec", "template", "spec", "containers", 0, "env", 0, "value"]],
    ],
    // Env in a CronJob's jobTemplate.
    [
      "cronjob env",
      { kind: "CronJob", spec: { jobTemplate: { spec: { template: { spec: podSpec() } } } } },
      [["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "env", 0, "value"]],
    ],
    // A field of a custom resource whose key names a secret.
    ["crd field", { kind: "Database", spec: { adminPassword: "pw" } }, [["spec", "adminPassword"]]],
    // The argument after a sensitive flag in a container's args.
    [
      "args flag",
      { kind: "Pod", spec: { containers: [{ name: "c", args: ["--db-password", "hunter2", "--verbose"] }] } },
      [["spec", "containers", 0, "args", 1]],
    ],
    // A Secret inside a List.
    [
      "list of secrets",
      { apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "Secret", data: { a: "Yg==" } }] },
      [["items", 0, "data", "a"]],
    ],
    // A look-alike kind in another case is still a Secret to the masker (fail closed).
    [
      "lower-case kind",
      { apiVersion: "v1", kind: "secret", data: { a: "aHVudGVyMg==" }, stringData: { b: "hunter2" } },
      [
        ["data", "a"],
        ["stringData", "b"],
      ],
    ],
    // Upper-case too.
    [
      "upper-case kind",
      { apiVersion: "v1", kind: "SECRET", stringData: { b: "hunter2" } },
      [["stringData", "b"]],
    ],
    // A numeric password (YAML `adminPassword: 123456` parses as a number).
    [
      "numeric password",
      { kind: "Db", spec: { adminPassword: 123456, db: { pwd: 4242 } } },
      [
        ["spec", "adminPassword"],
        ["spec", "db", "pwd"],
      ],
    ],
    // An annotation whose name says it holds a credential: masked whatever its shape (base64 here).
    [
      "sensitive annotation name",
      {
        kind: "X",
        metadata: { annotations: { "example.com/api-token": "aHVudGVyMg==", "x/creds": "dTpw" } },
      },
      [
        ["metadata", "annotations", "example.com/api-token"],
        ["metadata", "annotations", "x/creds"],
      ],
    ],
  ])("%s: masks the secret values", (_name, object, paths) => {
    const masked = masker.maskObject(object as KubeObject);
    for (const path of paths) expect(at(masked, ...path)).toMatch(MASKED);
  });

  it.each([
    // A ConfigMap's data is not a Secret: plain values stay readable.
    ["configmap data", { kind: "ConfigMap", data: { LOG_LEVEL: "debug" } }, ["data", "LOG_LEVEL"], "debug"],
    // A harmless env name keeps its value.
    ["keyboard env", { kind: "Pod", spec: podSpec() }, ["spec", "containers", 0, "env", 1, "value"], "us"],
    // valueFrom references are not secrets.
    [
      "valueFrom",
      { kind: "Pod", spec: podSpec() },
      ["spec", "containers", 0, "env", 2, "valueFrom", "secretKeyRef", "name"],
      "api",
    ],
    // Images are not secrets.
    ["image", { kind: "Pod", spec: podSpec() }, ["spec", "containers", 0, "image"], "repo/web:1.2.3"],
    // "data" of another kind is left to the pattern scan.
    ["non-secret data", { kind: "Other", data: { a: "b" } }, ["data", "a"], "b"],
    // The argument after a harmless flag is kept.
    [
      "args",
      { kind: "Pod", spec: { containers: [{ args: ["--port", "8080"] }] } },
      ["spec", "containers", 0, "args", 1],
      "8080",
    ],
    // A flag after a sensitive flag is a flag, not its value.
    [
      "args flag flag",
      { kind: "Pod", spec: { args: ["--token", "--verbose"] } },
      ["spec", "args", 1],
      "--verbose",
    ],
    // A number under a non-password key stays readable.
    ["replicas", { kind: "X", spec: { tokenLimit: 100, replicas: 3 } }, ["spec", "tokenLimit"], 100],
    // An annotation naming the type of a secret is not a secret.
    [
      "secret-type annotation",
      { kind: "X", metadata: { annotations: { "argocd.argoproj.io/secret-type": "repository" } } },
      ["metadata", "annotations", "argocd.argoproj.io/secret-type"],
      "repository",
    ],
    // Plain annotations are kept.
    [
      "annotation",
      { kind: "X", metadata: { annotations: { team: "sre" } } },
      ["metadata", "annotations", "team"],
      "sre",
    ],
  ])("%s: keeps what is not secret", (_name, object, path, expected) => {
    expect(at(masker.maskObject(object as KubeObject), ...path)).toBe(expected);
  });

  it("scans ConfigMap data for credential patterns", () => {
    // Not a Secret, but a token pasted into it is still masked; the rest stays.
    const cm = {
      kind: "ConfigMap",
      data: { "app.properties": "db.url=postgres://u:pw123@db/app\nlevel=info" },
    };
    const value = at(masker.maskObject(cm), "data", "app.properties") as string;
    expect(value).toMatch(/^db\.url=postgres:\/\/u:<masked fp:[0-9a-f]{12}>@db\/app\nlevel=info$/);
  });

  it("masks inside an embedded JSON annotation and keeps it JSON", () => {
    // A Secret embedded in an annotation is masked like a Secret.
    const embedded = JSON.stringify({ apiVersion: "v1", kind: "Secret", data: { a: "Yg==" }, note: "x" });
    const obj = { kind: "X", metadata: { annotations: { "example.com/copy": embedded } } };
    const out = JSON.parse(
      at(masker.maskObject(obj), "metadata", "annotations", "example.com/copy") as string,
    );
    expect(out.data.a).toMatch(MASKED);
    expect(out.note).toBe("x");
  });

  it("never mutates its input", () => {
    // A frozen input would throw on any write; the copy differs, the original does not.
    const secret = deepFreeze({ apiVersion: "v1", kind: "Secret", data: { a: "Yg==" }, spec: podSpec() });
    const before = JSON.stringify(secret);
    const masked = masker.maskObject(secret);
    expect(JSON.stringify(secret)).toBe(before);
    expect(masked).not.toBe(secret);
  });

  it("shows a changed secret as changed and an unchanged one as unchanged", () => {
    // Same value, same placeholder; new value, new placeholder.
    const mk = (pw: string) => ({ apiVersion: "v1", kind: "Secret", data: { pw, user: "Ym9i" } });
    const a = masker.maskObject(mk("YQ==")) as { data: Record<string, string> };
    const b = masker.maskObject(mk("Yg==")) as { data: Record<string, string> };
    expect(a.data["user"]).toBe(b.data["user"]);
    expect(a.data["pw"]).not.toBe(b.data["pw"]);
  });

  it("bounds hostile nesting", () => {
    // 10,000 levels deep: masked below the limit, no stack overflow.
    let deep: Record<string, unknown> = { password: "x" };
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const masked = JSON.stringify(masker.maskObject({ kind: "X", spec: deep }));
    expect(masked).toContain("<masked fp:");
    expect(masked).not.toContain('"password"');
  });
});

describe("maskObject fail-closed cases", () => {
  it("masks a Secret look-alike with another apiVersion", () => {
    // kind Secret is enough; a wrong apiVersion must not unmask data.
    const masked = masker.maskObject({ apiVersion: "evil/v1", kind: "Secret", data: { a: "cGxhaW4=" } });
    expect(at(masked, "data", "a")).toMatch(MASKED);
  });

  it("keeps a __proto__ key visible instead of dropping it", () => {
    // JSON.parse keeps `__proto__` as an own key and it is digested: the report must show it too.
    const object = JSON.parse('{"kind":"X","spec":{"__proto__":{"evil":"yes"}}}') as KubeObject;
    const masked = masker.maskObject(object);
    expect(Object.keys(at(masked, "spec") as object)).toEqual(["__proto__"]);
    expect(JSON.stringify(masked)).toContain('"evil":"yes"');
  });

  it("shows a change deep below the depth limit as changed", () => {
    // The wholesale placeholder carries the fingerprint of the content, not a constant.
    const deep = (leaf: string) => {
      let v: Record<string, unknown> = { leaf };
      for (let i = 0; i < 300; i++) v = { a: v };
      return { kind: "X", spec: v };
    };
    expect(JSON.stringify(masker.maskObject(deep("one")))).not.toBe(
      JSON.stringify(masker.maskObject(deep("two"))),
    );
  });
});
