import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import {
  DEFAULT_AUDIT_STORE,
  openAuditStore,
  parseStoreUrl,
  resolveStoreUrl,
  storeOptionsFromEnv,
} from "../../src/audit/store-url.js";

describe("parseStoreUrl", () => {
  it.each([
    // An S3 bucket with a nested prefix; slashes around the prefix are dropped.
    ["s3://audit-logs/countersign/prod/", { type: "s3", bucket: "audit-logs", prefix: "countersign/prod" }],
    // A bucket alone: the bucket root.
    ["s3://audit-logs", { type: "s3", bucket: "audit-logs", prefix: "" }],
    // An absolute file URL.
    ["file:///var/lib/countersign/audit", { type: "file", path: "/var/lib/countersign/audit" }],
    // The default: a relative file URL.
    [DEFAULT_AUDIT_STORE, { type: "file", path: "./.countersign/audit" }],
    // A plain path.
    ["/tmp/audit", { type: "file", path: "/tmp/audit" }],
  ])("parses %s", (url, expected) => {
    expect(parseStoreUrl(url)).toEqual(expected);
  });

  it.each([
    // Unknown schemes get a clear error listing the supported forms.
    ["https://example.com/audit", /unsupported scheme https/],
    // Invalid bucket names.
    ["s3://Bad_Bucket/x", /not a valid S3 bucket name/],
    // Dot segments in the prefix.
    ["s3://bucket/a/../b", /may not contain '\.' or '\.\.'/],
    // Empty.
    ["  ", /empty/],
    // A file URL with a host.
    ["file://host/path", /not a valid file URL/],
  ])("rejects %s", (url, message) => {
    expect(() => parseStoreUrl(url)).toThrow(message);
  });
});

describe("resolveStoreUrl", () => {
  it.each([
    // The flag wins.
    ["s3://a1b/x", { COUNTERSIGN_AUDIT_STORE: "file:///env" }, "s3://a1b/x"],
    // Then the environment.
    [undefined, { COUNTERSIGN_AUDIT_STORE: "file:///env" }, "file:///env"],
    // Then the embedded default.
    [undefined, {}, DEFAULT_AUDIT_STORE],
  ])("flag %s with env %j gives %s", (flag, env, expected) => {
    expect(resolveStoreUrl(flag, env)).toBe(expected);
  });
});

describe("openAuditStore", () => {
  it("opens the store type the URL names", () => {
    expect(openAuditStore("file:///tmp/cs-audit").location).toBe("file:///tmp/cs-audit");
    expect(openAuditStore("s3://audit-logs/p", { s3Client: { region: "eu-west-1" } }).location).toBe(
      "s3://audit-logs/p",
    );
  });
});

describe("storeOptionsFromEnv", () => {
  it("reads endpoint, role, Object Lock and KMS settings", () => {
    expect(
      storeOptionsFromEnv({
        COUNTERSIGN_AUDIT_S3_ENDPOINT: "http://127.0.0.1:9000",
        COUNTERSIGN_AUDIT_ROLE_ARN: "arn:aws:iam::123456789012:role/countersign-audit",
        COUNTERSIGN_AUDIT_OBJECT_LOCK: "COMPLIANCE:365",
        COUNTERSIGN_AUDIT_KMS_KEY: "alias/audit",
      }),
    ).toEqual({
      s3Client: {
        endpoint: "http://127.0.0.1:9000",
        forcePathStyle: true,
        roleArn: "arn:aws:iam::123456789012:role/countersign-audit",
      },
      s3Store: { objectLock: { mode: "COMPLIANCE", days: 365 }, kms: { keyId: "alias/audit" } },
    });
  });

  it.each([
    // A retention without days, or a mode S3 does not know.
    [{ COUNTERSIGN_AUDIT_OBJECT_LOCK: "COMPLIANCE" }, /GOVERNANCE:<days> or COMPLIANCE:<days>/],
    [{ COUNTERSIGN_AUDIT_OBJECT_LOCK: "LEGAL:5" }, /GOVERNANCE:<days> or COMPLIANCE:<days>/],
    // Not a role ARN.
    [{ COUNTERSIGN_AUDIT_ROLE_ARN: "countersign" }, /not an IAM role ARN/],
    // Not a URL.
    [{ COUNTERSIGN_AUDIT_S3_ENDPOINT: "localhost:9000" }, /must be an http\(s\) URL/],
  ])("rejects %j", (env, message) => {
    expect(() => storeOptionsFromEnv(env)).toThrow(message);
  });
});

describe("the store check setting", () => {
  it.each([
    ["refuse", "refuse"],
    ["warn", "warn"],
  ])("reads COUNTERSIGN_AUDIT_STORE_CHECK=%s", (value, expected) => {
    expect(storeOptionsFromEnv({ COUNTERSIGN_AUDIT_STORE_CHECK: value }).s3Store?.onUnsafe).toBe(expected);
  });

  it("refuses an unknown value instead of guessing", () => {
    expect(() => storeOptionsFromEnv({ COUNTERSIGN_AUDIT_STORE_CHECK: "off" })).toThrow(
      /COUNTERSIGN_AUDIT_STORE_CHECK must be refuse or warn/,
    );
  });
});

describe("the AWS SDK's Node-version notice", () => {
  it("is not printed by an S3 command (silenced deliberately, see src/clients/s3.ts)", () => {
    // A fresh process: the SDK prints the notice once per process, when the first client is built.
    const script =
      "const m = await import('./src/clients/s3.ts'); m.createS3Client({ region: 'us-east-1' }).destroy(); console.log('built');";
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: process.cwd(),
      encoding: "utf8",
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined },
    });
    expect(run.stdout).toBe("built\n");
    expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|will require node/);
  });
});
