/**
 * EKS authentication: a bearer token made from a presigned STS GetCallerIdentity request, the
 * aws-iam-authenticator format (`k8s-aws-v1.` + base64url of the URL, signed header
 * `x-k8s-aws-id: <cluster>`, `X-Amz-Expires=60`). STS accepts the URL for 15 minutes from its
 * X-Amz-Date whatever X-Amz-Expires says; tokens are renewed after 14, before EKS rejects them.
 */
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { User } from "@kubernetes/client-node";
import type https from "node:https";

// One credentials shape for STS signing and the S3 client (type-only: no AWS SDK is loaded here).
export type { AwsCredentials, AwsCredentialsProvider } from "../clients/s3.js";
import type { AwsCredentials, AwsCredentialsProvider } from "../clients/s3.js";

export const EKS_TOKEN_PREFIX = "k8s-aws-v1.";
/** Renew tokens this long after they were made (STS honours them for 15 minutes). */
export const EKS_TOKEN_LIFETIME_MS = 14 * 60_000;

const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

export interface EksTokenRequest {
  clusterName: string;
  region: string;
  credentials: AwsCredentials;
  /** Signing time. */
  date: Date;
}

/** The STS host the token is presigned for: regional, as aws-iam-authenticator does. */
export function stsHost(region: string): string {
  if (!REGION.test(region))
    throw new Error(`building an EKS token: invalid AWS region ${JSON.stringify(region)}`);
  return region.startsWith("cn-") ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

/** Builds one token (pure apart from the hashing: same inputs, same token). */
export async function buildEksToken(req: EksTokenRequest): Promise<string> {
  const hostname = stsHost(req.region);
  const signer = new SignatureV4({
    credentials: req.credentials,
    region: req.region,
    service: "sts",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const request = new HttpRequest({
    method: "GET",
    protocol: "https:",
    hostname,
    path: "/",
    query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    headers: { host: hostname, "x-k8s-aws-id": req.clusterName },
  });
  const signed = await signer.presign(request, { expiresIn: 60, signingDate: req.date });
  const query = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : v === null ? [] : [[k, v]]))
    .map(([k, v]) => `${encodeURIComponent(k!)}=${encodeURIComponent(v!)}`)
    .join("&");
  const url = `https://${hostname}/?${query}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, "utf8").toString("base64url");
}

export interface EksTokenSourceOptions {
  clusterName: string;
  region: string;
  credentials: AwsCredentialsProvider;
  now?: () => number;
}

/** Caches one token and makes a new one once it is 14 minutes old (or the credentials expire first). */
export class EksTokenSource {
  private token: { value: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: EksTokenSourceOptions) {
    this.now = options.now ?? Date.now;
    stsHost(options.region);
  }

  async get(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    this.pending ??= this.make().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async make(): Promise<string> {
    let credentials: AwsCredentials;
    try {
      credentials = await this.options.credentials();
    } catch (error) {
      // The chain's own messages name where it looked, never the secret values.
      throw new Error(`getting AWS credentials for the EKS cluster ${this.options.clusterName}`, {
        cause: error,
      });
    }
    const issued = this.now();
    const value = await buildEksToken({
      clusterName: this.options.clusterName,
      region: this.options.region,
      credentials,
      date: new Date(issued),
    });
    let renewAt = issued + EKS_TOKEN_LIFETIME_MS;
    // Temporary credentials that expire earlier invalidate the token with them.
    if (credentials.expiration) renewAt = Math.min(renewAt, credentials.expiration.getTime() - 60_000);
    this.token = { value, renewAt };
    return value;
  }
}

/** The kubeconfig user name (and auth-provider name) that routes requests to EksAuthenticator. */
export const EKS_AUTH_PROVIDER = "countersign-eks";

/** client-node authenticator that sets the EKS bearer token on every request. */
export class EksAuthenticator {
  constructor(private readonly source: EksTokenSource) {}

  isAuthProvider(user: User): boolean {
    return (user.authProvider as { name?: unknown } | undefined)?.name === EKS_AUTH_PROVIDER;
  }

  async applyAuthentication(_user: User, opts: https.RequestOptions): Promise<void> {
    const token = await this.source.get();
    opts.headers = {
      ...(opts.headers as Record<string, string> | undefined),
      Authorization: `Bearer ${token}`,
    };
  }
}
