import { createHash, createHmac } from "node:crypto";
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createKubeClient } from "../../src/kube/client.js";
import { buildEksToken, EKS_TOKEN_PREFIX, EksTokenSource } from "../../src/kube/eks-token.js";

const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "FQoGZXIvYXdzEXAMPLE/token+with=chars",
};
const DATE = new Date("2024-03-01T12:34:56Z");

/** SigV4 query signing written from the AWS documentation, independent of @smithy/signature-v4. */
function expectedSignature(region: string, cluster: string, params: Record<string, string>): string {
  const host = `sts.${region}.amazonaws.com`;
  const rfc3986 = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const canonicalQuery = Object.keys(params)
    .filter((k) => k !== "X-Amz-Signature")
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(params[k]!)}`)
    .join("&");
  const emptyHash = createHash("sha256").update("").digest("hex");
  const canonicalRequest = [
    "GET",
    "/",
    canonicalQuery,
    `host:${host}\nx-k8s-aws-id:${cluster}\n`,
    "host;x-k8s-aws-id",
    emptyHash,
  ].join("\n");
  const day = "20240301";
  const scope = `${day}/${region}/sts/aws4_request`;
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    "20240301T123456Z",
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
  const kDate = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day);
  const kSigning = hmac(hmac(hmac(kDate, region), "sts"), "aws4_request");
  return createHmac("sha256", kSigning).update(stringToSign).digest("hex");
}

function decode(token: string): URL {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  return new URL(Buffer.from(encoded, "base64url").toString("utf8"));
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("EKS token", () => {
  it("is a presigned GetCallerIdentity URL whose signature matches an independent SigV4", async () => {
    const token = await buildEksToken({
      clusterName: "prod",
      region: "eu-west-1",
      credentials: CREDENTIALS,
      date: DATE,
    });
    const url = decode(token);
    expect(url.origin).toBe("https://sts.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe("/");
    const params = Object.fromEntries(url.searchParams);
    expect(params).toEqual({
      Action: "GetCallerIdentity",
      Version: "2011-06-15",
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": "AKIDEXAMPLE/20240301/eu-west-1/sts/aws4_request",
      "X-Amz-Date": "20240301T123456Z",
      "X-Amz-Expires": "60",
      "X-Amz-Security-Token": CREDENTIALS.sessionToken,
      "X-Amz-SignedHeaders": "host;x-k8s-aws-id",
      "X-Amz-Signature": expectedSignature("eu-west-1", "prod", params),
    });
    expect(params["X-Amz-Signature"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("binds the cluster name: another cluster gets another signature", async () => {
    const a = decode(
      await buildEksToken({ clusterName: "prod", region: "us-east-1", credentials: CREDENTIALS, date: DATE }),
    );
    const b = decode(
      await buildEksToken({
        clusterName: "staging",
        region: "us-east-1",
        credentials: CREDENTIALS,
        date: DATE,
      }),
    );
    expect(a.searchParams.get("X-Amz-Signature")).not.toBe(b.searchParams.get("X-Amz-Signature"));
    expect(b.searchParams.get("X-Amz-Signature")).toBe(
      expectedSignature("us-east-1", "staging", Object.fromEntries(b.searchParams)),
    );
  });

  it("refuses a malformed region", async () => {
    await expect(
      buildEksToken({
        clusterName: "c",
        region: "eu-west-1.evil.example",
        credentials: CREDENTIALS,
        date: DATE,
      }),
    ).rejects.toThrow(/invalid AWS region/);
  });

  it("reuses a token for 14 minutes, then makes a new one", async () => {
    let now = DATE.getTime();
    let calls = 0;
    const source = new EksTokenSource({
      clusterName: "prod",
      region: "eu-west-1",
      credentials: async () => {
        calls++;
        return CREDENTIALS;
      },
      now: () => now,
    });
    const first = await source.get();
    now += 14 * 60_000 - 1;
    expect(await source.get()).toBe(first);
    now += 1;
    const second = await source.get();
    expect(second).not.toBe(first);
    expect(decode(second).searchParams.get("X-Amz-Date")).toBe("20240301T124856Z");
    expect(calls).toBe(2);
  });

  it("renews earlier when the credentials expire first", async () => {
    let now = DATE.getTime();
    const source = new EksTokenSource({
      clusterName: "prod",
      region: "eu-west-1",
      credentials: async () => ({ ...CREDENTIALS, expiration: new Date(now + 5 * 60_000) }),
      now: () => now,
    });
    const first = await source.get();
    now += 4 * 60_000;
    expect(await source.get()).not.toBe(first);
  });

  it("sends the token to the EKS endpoint, with credentials from an assumed role", async () => {
    const sts = nock("https://sts.eu-west-1.amazonaws.com")
      .post(
        "/",
        (body: Record<string, string>) =>
          body["Action"] === "AssumeRole" && body["RoleArn"] === "arn:aws:iam::123456789012:role/apply",
      )
      .reply(
        200,
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
<AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey><SessionToken>rolesession</SessionToken>
<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`,
        { "Content-Type": "text/xml" },
      );
    let authorization = "";
    const eks = nock("https://abc.gr7.eu-west-1.eks.amazonaws.com")
      .get("/api/v1/namespaces")
      .reply(function () {
        authorization = String(this.req.headers["authorization"]);
        return [200, { kind: "NamespaceList", items: [] }];
      });
    const client = createKubeClient({
      access: {
        mode: "eks",
        clusterName: "prod",
        region: "eu-west-1",
        endpoint: "https://abc.gr7.eu-west-1.eks.amazonaws.com",
        caData: Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString(
          "base64",
        ),
        roleArn: "arn:aws:iam::123456789012:role/apply",
      },
      awsCredentials: async () => ({ accessKeyId: "AKIDBASE", secretAccessKey: "basesecret" }),
    });
    await client.request({ method: "GET", path: "/api/v1/namespaces", operation: "listing namespaces" });
    client.close();
    expect(sts.pendingMocks()).toEqual([]);
    expect(eks.pendingMocks()).toEqual([]);
    expect(authorization).toMatch(/^Bearer k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const url = decode(authorization.slice("Bearer ".length));
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^ASIAROLE\//);
    expect(url.searchParams.get("X-Amz-Security-Token")).toBe("rolesession");
  });

  it("takes base credentials from the AWS default chain when none are given", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDFROMENV", AWS_SECRET_ACCESS_KEY: "envsecret" });
    delete process.env["AWS_SESSION_TOKEN"];
    delete process.env["AWS_PROFILE"];
    try {
      let authorization = "";
      const eks = nock("https://abc.example.test")
        .get("/version")
        .reply(function () {
          authorization = String(this.req.headers["authorization"]);
          return [200, {}];
        });
      const client = createKubeClient({
        access: {
          mode: "eks",
          clusterName: "prod",
          region: "eu-west-1",
          endpoint: "https://abc.example.test",
          caData: "eA==",
        },
      });
      await client.request({ method: "GET", path: "/version", operation: "reading the version" });
      client.close();
      expect(eks.pendingMocks()).toEqual([]);
      expect(decode(authorization.slice("Bearer ".length)).searchParams.get("X-Amz-Credential")).toMatch(
        /^AKIDFROMENV\//,
      );
    } finally {
      process.env = saved;
    }
  });

  it("requires the cluster CA and an https endpoint", () => {
    const base = {
      mode: "eks" as const,
      clusterName: "prod",
      region: "eu-west-1",
      endpoint: "https://x.example",
    };
    expect(() => createKubeClient({ access: base })).toThrow(/caFile or caData is required/);
    expect(() =>
      createKubeClient({ access: { ...base, endpoint: "http://x.example", caData: "eA==" } }),
    ).toThrow(/must be an https URL/);
  });
});
