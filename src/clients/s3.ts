/**
 * Builds the S3 client for the audit store (the one place that builds it). Optionally assumes
 * an IAM role through STS, with credentials refreshed before they expire.
 */
import { S3Client } from "@aws-sdk/client-s3";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

/** Temporary or static AWS credentials (the SDK's identity shape). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

export interface S3ClientOptions {
  region?: string;
  /** Endpoint override (tests, MinIO, s3rver). */
  endpoint?: string;
  /** Path-style addressing (`https://host/bucket/key`), needed by most S3 look-alikes. */
  forcePathStyle?: boolean;
  /** Static credentials (tests); otherwise the default provider chain (IRSA, env, profile...). */
  credentials?: AwsCredentials | AwsCredentialsProvider;
  /** Role to assume through STS for every S3 call. */
  roleArn?: string;
  roleSessionName?: string;
  /** Endpoint override for STS (tests). */
  stsEndpoint?: string;
  maxAttempts?: number;
}

/** Refresh assumed-role credentials this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** A credential provider that calls STS AssumeRole and caches the result until shortly before expiry. */
export function assumeRoleCredentials(
  sts: STSClient,
  roleArn: string,
  sessionName: string,
  now: () => number = Date.now,
): AwsCredentialsProvider {
  let cached: AwsCredentials | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  const fetchCredentials = async (): Promise<AwsCredentials> => {
    let out;
    try {
      out = await sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 }),
      );
    } catch (error) {
      throw new Error(`assuming role ${roleArn} for the audit store`, { cause: error });
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new Error(`assuming role ${roleArn} for the audit store: STS returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  };
  return async () => {
    const fresh = cached && (!cached.expiration || cached.expiration.getTime() - REFRESH_MARGIN_MS > now());
    if (fresh && cached) return cached;
    pending ??= fetchCredentials().finally(() => {
      pending = undefined;
    });
    cached = await pending;
    return cached;
  };
}

export function createS3Client(options: S3ClientOptions = {}): S3Client {
  // On Node < 22 the SDK prints, on every command, that its releases after January 2027 will need
  // Node 22. This build pins its SDK version and the container image runs the current Node LTS,
  // so the notice is not actionable here; it is silenced through the SDK's own switch (an
  // operator who sets the variable to anything else still sees it).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let credentials: S3ClientConfig["credentials"] = options.credentials;
  if (options.roleArn) {
    const sts = new STSClient({
      region: options.region,
      endpoint: options.stsEndpoint,
      credentials: options.credentials,
      maxAttempts: options.maxAttempts,
    });
    credentials = assumeRoleCredentials(sts, options.roleArn, options.roleSessionName ?? "countersign-audit");
  }
  return new S3Client({
    region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials,
    maxAttempts: options.maxAttempts,
    // Without this the SDK streams bodies with aws-chunked framing that S3 look-alikes store verbatim (s3rver does).
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
