/**
 * The one place that builds the Kubernetes client, from the reconciler's `kubernetes:` config:
 * the in-cluster service account (default), a kubeconfig file and context (development), or
 * EKS (AWS credential chain, optional STS role, presigned-STS bearer tokens).
 */
import { homedir } from "node:os";
import { KubeConfig } from "@kubernetes/client-node";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentials, AwsCredentialsProvider } from "./eks-token.js";
import { EKS_AUTH_PROVIDER, EksAuthenticator, EksTokenSource } from "./eks-token.js";
import { KubeHttpClient } from "./kube-http.js";
import type { KubeHttpOptions } from "./kube-http.js";

export interface EksAccess {
  clusterName: string;
  region: string;
  /** https://ABC.gr7.eu-west-1.eks.amazonaws.com */
  endpoint: string;
  /** CA bundle of the cluster: a PEM file, or base64 of the PEM (as in kubeconfig). One is required. */
  caFile?: string;
  caData?: string;
  /** Role assumed with STS before signing; otherwise the chain's own identity (IRSA, Pod Identity). */
  roleArn?: string;
}

export type KubeAccess =
  | { mode: "in-cluster" }
  | { mode: "kubeconfig"; kubeconfig: string; context?: string }
  | ({ mode: "eks" } & EksAccess);

export interface KubeClientOptions extends KubeHttpOptions {
  access: KubeAccess;
  /** EKS mode: base credentials; default the AWS SDK's default chain (env, IRSA, Pod Identity...). */
  awsCredentials?: AwsCredentialsProvider;
  /** EKS mode: STS endpoint override (tests). */
  stsEndpoint?: string;
  /** EKS mode: clock for token renewal (tests). */
  now?: () => number;
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
}

/** Loads the KubeConfig for an access mode; throws a message naming what was being loaded. */
export function loadKubeConfig(options: KubeClientOptions): KubeConfig {
  const { access } = options;
  const kc = new KubeConfig();
  switch (access.mode) {
    case "in-cluster":
      if (!process.env["KUBERNETES_SERVICE_HOST"] || !process.env["KUBERNETES_SERVICE_PORT"]) {
        throw new Error(
          "loading the in-cluster Kubernetes configuration: KUBERNETES_SERVICE_HOST/PORT are not set (not running in a pod? use kubernetes.mode: kubeconfig)",
        );
      }
      kc.loadFromCluster();
      return kc;
    case "kubeconfig": {
      const file = expandHome(access.kubeconfig);
      try {
        kc.loadFromFile(file);
      } catch (error) {
        throw new Error(`loading the kubeconfig ${file}`, { cause: error });
      }
      if (access.context) {
        if (!kc.getContextObject(access.context)) {
          throw new Error(
            `loading the kubeconfig ${file}: it has no context named ${JSON.stringify(access.context)}`,
          );
        }
        kc.setCurrentContext(access.context);
      }
      if (!kc.getCurrentCluster())
        throw new Error(`loading the kubeconfig ${file}: no current context or cluster`);
      return kc;
    }
    case "eks": {
      if (!access.caFile && !access.caData) {
        throw new Error(
          `configuring EKS cluster ${access.clusterName}: kubernetes.eks.caFile or caData is required`,
        );
      }
      if (!access.endpoint.startsWith("https://")) {
        throw new Error(
          `configuring EKS cluster ${access.clusterName}: kubernetes.eks.endpoint must be an https URL`,
        );
      }
      const source = new EksTokenSource({
        clusterName: access.clusterName,
        region: access.region,
        credentials: eksCredentials(options, access),
        ...(options.now ? { now: options.now } : {}),
      });
      kc.addAuthenticator(new EksAuthenticator(source));
      kc.loadFromClusterAndUser(
        {
          name: access.clusterName,
          server: access.endpoint,
          skipTLSVerify: false,
          ...(access.caFile ? { caFile: access.caFile } : { caData: access.caData }),
        },
        { name: EKS_AUTH_PROVIDER, authProvider: { name: EKS_AUTH_PROVIDER, config: {} } },
      );
      return kc;
    }
  }
}

/** Refresh assumed-role credentials this long before they expire. */
const ROLE_REFRESH_MARGIN_MS = 5 * 60_000;

function eksCredentials(options: KubeClientOptions, access: EksAccess): AwsCredentialsProvider {
  const sts = new STSClient({
    region: access.region,
    ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
    ...(options.awsCredentials ? { credentials: options.awsCredentials } : {}),
  });
  // The client resolves the default chain itself (IRSA web identity, Pod Identity, env...): its
  // provider is reused rather than importing the chain packages directly.
  const base: AwsCredentialsProvider = options.awsCredentials ?? (() => sts.config.credentials());
  if (!access.roleArn) return base;
  const roleArn = access.roleArn;
  const now = options.now ?? Date.now;
  let cached: AwsCredentials | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - ROLE_REFRESH_MARGIN_MS > now()) return cached;
    let out;
    try {
      out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: "countersign-reconciler",
          DurationSeconds: 3600,
        }),
      );
    } catch (error) {
      throw new Error(`assuming role ${roleArn} for EKS cluster ${access.clusterName}`, { cause: error });
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new Error(
        `assuming role ${roleArn} for EKS cluster ${access.clusterName}: STS returned no credentials`,
      );
    }
    cached = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
    return cached;
  };
}

/** Builds the client every src/kube adapter takes. */
export function createKubeClient(options: KubeClientOptions): KubeHttpClient {
  return new KubeHttpClient(loadKubeConfig(options), options);
}
