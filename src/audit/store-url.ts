/**
 * Names an audit store by URL: `s3://bucket/prefix`, `file:///path`, or a plain path.
 * Default: `--store`, else $COUNTERSIGN_AUDIT_STORE, else `file://./.countersign/audit`.
 */
import { fileURLToPath } from "node:url";
import type { AuditStore } from "../core/ports/audit-store.js";
import { createS3Client } from "../clients/s3.js";
import type { S3ClientOptions } from "../clients/s3.js";
import { LocalAuditStore } from "./local-store.js";
import { S3AuditStore } from "./s3-store.js";
import type { S3StoreOptions } from "./s3-store.js";

export const DEFAULT_AUDIT_STORE = "file://./.countersign/audit";
export const AUDIT_STORE_ENV = "COUNTERSIGN_AUDIT_STORE";

export type StoreLocation = { type: "file"; path: string } | { type: "s3"; bucket: string; prefix: string };

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses a store URL; throws a clear error for anything it does not know. */
export function parseStoreUrl(url: string): StoreLocation {
  const text = url.trim();
  if (text === "")
    throw new Error("audit store URL is empty: use s3://bucket/prefix, file:///path or a directory path");
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return { type: "file", path: text };
  if (scheme === "file") {
    // `file://./rel` (a relative path, as in the default) and `file:///abs` are both accepted.
    if (text.startsWith("file://./") || text.startsWith("file://../"))
      return { type: "file", path: text.slice("file://".length) };
    try {
      return { type: "file", path: fileURLToPath(text) };
    } catch (error) {
      throw new Error(
        `audit store URL ${JSON.stringify(text)} is not a valid file URL (use file:///absolute/path)`,
        { cause: error },
      );
    }
  }
  if (scheme === "s3") {
    const rest = text.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? "" : rest.slice(slash + 1).replace(/^\/+|\/+$/g, "");
    if (!BUCKET.test(bucket))
      throw new Error(
        `audit store URL ${JSON.stringify(text)}: ${JSON.stringify(bucket)} is not a valid S3 bucket name`,
      );
    if (prefix.split("/").some((part) => part === "." || part === "..")) {
      throw new Error(
        `audit store URL ${JSON.stringify(text)}: the prefix may not contain '.' or '..' segments`,
      );
    }
    return { type: "s3", bucket, prefix };
  }
  throw new Error(
    `audit store URL ${JSON.stringify(text)}: unsupported scheme ${scheme}: (use s3://bucket/prefix, file:///path or a directory path)`,
  );
}

/** The store URL in effect: the flag, else the environment, else the embedded default. */
export function resolveStoreUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env[AUDIT_STORE_ENV] ?? DEFAULT_AUDIT_STORE;
}

export interface OpenStoreOptions {
  s3Client?: S3ClientOptions;
  s3Store?: Omit<S3StoreOptions, "bucket" | "prefix">;
}

/**
 * S3 settings from the environment (shared by the CLI and the reconciler):
 * - COUNTERSIGN_AUDIT_S3_ENDPOINT: endpoint override (MinIO, tests); path-style addressing is then used
 * - COUNTERSIGN_AUDIT_ROLE_ARN: role to assume through STS
 * - COUNTERSIGN_AUDIT_OBJECT_LOCK: `GOVERNANCE:<days>` or `COMPLIANCE:<days>`
 * - COUNTERSIGN_AUDIT_KMS_KEY: `default` (the bucket's KMS key) or a key id/ARN/alias
 * - COUNTERSIGN_AUDIT_STORE_CHECK: `refuse` (default) or `warn`: what a writer does when the
 *   start-up probe finds conditional writes ignored or the configured Object Lock not applied
 * Region and credentials come from the usual AWS variables (AWS_REGION, IRSA...).
 */
export function storeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): OpenStoreOptions {
  const s3Client: S3ClientOptions = {};
  const s3Store: NonNullable<OpenStoreOptions["s3Store"]> = {};
  const endpoint = env.COUNTERSIGN_AUDIT_S3_ENDPOINT;
  if (endpoint) {
    if (!/^https?:\/\/[^\s]+$/.test(endpoint))
      throw new Error("COUNTERSIGN_AUDIT_S3_ENDPOINT must be an http(s) URL");
    s3Client.endpoint = endpoint;
    s3Client.forcePathStyle = true;
  }
  if (env.COUNTERSIGN_AUDIT_ROLE_ARN) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(env.COUNTERSIGN_AUDIT_ROLE_ARN)) {
      throw new Error(
        "COUNTERSIGN_AUDIT_ROLE_ARN is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
      );
    }
    s3Client.roleArn = env.COUNTERSIGN_AUDIT_ROLE_ARN;
  }
  const lock = env.COUNTERSIGN_AUDIT_OBJECT_LOCK;
  if (lock) {
    const m = /^(GOVERNANCE|COMPLIANCE):(\d{1,5})$/.exec(lock);
    if (!m || Number(m[2]) < 1)
      throw new Error(
        "COUNTERSIGN_AUDIT_OBJECT_LOCK must be GOVERNANCE:<days> or COMPLIANCE:<days> (days >= 1)",
      );
    s3Store.objectLock = { mode: m[1] as "GOVERNANCE" | "COMPLIANCE", days: Number(m[2]) };
  }
  const check = env.COUNTERSIGN_AUDIT_STORE_CHECK;
  if (check !== undefined && check !== "") {
    if (check !== "refuse" && check !== "warn")
      throw new Error("COUNTERSIGN_AUDIT_STORE_CHECK must be refuse or warn");
    s3Store.onUnsafe = check;
  }
  const kms = env.COUNTERSIGN_AUDIT_KMS_KEY;
  if (kms) s3Store.kms = kms === "default" ? {} : { keyId: kms };
  return { s3Client, s3Store };
}

export function openAuditStore(url: string, options: OpenStoreOptions = {}): AuditStore {
  const location = parseStoreUrl(url);
  if (location.type === "file") return new LocalAuditStore(location.path);
  return new S3AuditStore(createS3Client(options.s3Client), {
    ...options.s3Store,
    bucket: location.bucket,
    prefix: location.prefix,
  });
}
