import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assumeRoleCredentials, createS3Client } from "../../src/clients/s3.js";

const stsReply = (
  key: string,
  expiration: string,
): string => `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token-${key}</SessionToken><Expiration>${expiration}</Expiration></Credentials>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/audit/countersign-audit</Arn><AssumedRoleId>AROA:countersign-audit</AssumedRoleId></AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;

const base = { accessKeyId: "AKIDBASE", secretAccessKey: "base" };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe("createS3Client", () => {
  it("assumes the role through STS and signs S3 calls with the session credentials", async () => {
    const sts = nock("http://sts.test")
      .post(
        "/",
        (body: Record<string, string>) =>
          body.Action === "AssumeRole" && body.RoleArn === "arn:aws:iam::123456789012:role/audit",
      )
      .reply(200, stsReply("ASIAONE", "2099-01-01T00:00:00Z"));
    const s3 = nock("http://s3.test")
      .get("/audit/")
      .query(true)
      .matchHeader("x-amz-security-token", "token-ASIAONE")
      .matchHeader("authorization", /Credential=ASIAONE\//)
      .reply(
        200,
        '<?xml version="1.0"?><ListBucketResult><Name>audit</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>',
      );
    const client = createS3Client({
      region: "eu-west-1",
      endpoint: "http://s3.test",
      forcePathStyle: true,
      credentials: base,
      roleArn: "arn:aws:iam::123456789012:role/audit",
      stsEndpoint: "http://sts.test",
      maxAttempts: 1,
    });
    await client.send(new ListObjectsV2Command({ Bucket: "audit" }));
    expect(sts.pendingMocks()).toEqual([]);
    expect(s3.pendingMocks()).toEqual([]);
    client.destroy();
  });
});

describe("assumeRoleCredentials", () => {
  it("reuses credentials until five minutes before they expire, then refreshes", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const scope = nock("http://sts.test")
      .post("/")
      .reply(200, stsReply("ASIAONE", "2026-01-01T01:00:00Z"))
      .post("/")
      .reply(200, stsReply("ASIATWO", "2026-01-01T02:00:00Z"));
    const provider = assumeRoleCredentials(
      new STSClient({ region: "eu-west-1", endpoint: "http://sts.test", credentials: base, maxAttempts: 1 }),
      "arn:aws:iam::123456789012:role/audit",
      "s",
      () => now,
    );
    expect((await provider()).accessKeyId).toBe("ASIAONE");
    now += 50 * 60_000; // 10 minutes left: still good
    expect((await provider()).accessKeyId).toBe("ASIAONE");
    now += 6 * 60_000; // 4 minutes left: refresh
    expect((await provider()).accessKeyId).toBe("ASIATWO");
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("names the role when STS refuses, without leaking credentials", async () => {
    nock("http://sts.test")
      .post("/")
      .reply(
        403,
        "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>",
      );
    const provider = assumeRoleCredentials(
      new STSClient({ region: "eu-west-1", endpoint: "http://sts.test", credentials: base, maxAttempts: 1 }),
      "arn:aws:iam::123456789012:role/audit",
      "s",
    );
    const error = await provider().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe("assuming role arn:aws:iam::123456789012:role/audit for the audit store");
    expect(JSON.stringify(error)).not.toContain("base");
  });
});
