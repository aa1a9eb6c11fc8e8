import { describe, expect, it } from "vitest";
import { createMasker } from "../../../src/core/mask/masker.js";
import { benignShape, isReference, judge } from "../../../src/core/mask/value-judge.js";
import type { KubeObject } from "../../../src/core/model.js";

describe("judge", () => {
  it.each([
    // Shapes that are never credentials, each behind its own cheap guard.
    ["30s", true],
    ["1h30m", true],
    ["100Mi", true],
    ["-2", true],
    ["https://auth.example.com/token", true],
    ["/etc/secret", true],
    ["db.internal.example.com:5432", true],
    ["ops@example.com", true],
    ["X-Auth-Token", true],
    ["arn:aws:iam::123456789012:role/app", true],
    ["pk_live_51Habc", true],
    ["ssh-ed25519 AAAAC3Nza", true],
    ["TRUE", true],
    // Random values and words are not.
    ["Zk3pQ9xLm2Rt7Vb1", false],
    ["x-api-key", false],
    ["hunter2", false],
    ["Arn:aws:iam::1:role/x", false],
  ])("benignShape(%s) is %s", (value, benign) => {
    expect(benignShape(value)).toBe(benign);
  });

  it("recognises references by their first character", () => {
    expect(
      ["${TOKEN}", "{{ .token }}", "$DB_PASS", "  ", "<masked fp:0123456789ab>"].map(isReference),
    ).toEqual([true, true, true, true, true]);
    expect(["$(", "{x}", "token"].map(isReference)).toEqual([false, false, false]);
  });

  it("shows the name of a credential header even where a wordy value is masked (env vars)", () => {
    for (const header of ["x-api-key", "X-API-KEY", "x-auth-token", "x-goog-api-key"]) {
      expect(judge("apiKeySecret", header, "secret", false)).toBe("scan");
    }
    // A wordy value that names no header is still masked under an env name.
    expect(judge("apiKeySecret", "x-my-value", "secret", false)).toBe("mask");
    expect(judge("apiKeySecret", "correct-horse-battery", "secret", false)).toBe("mask");
    // Under a password name, a header-like value is still a password.
    expect(judge("password", "x-api-key", "password")).toBe("mask");
  });

  it("leaves a header name visible in an env var, masks a key there", () => {
    const masker = createMasker({ fingerprintKey: "test-key" });
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: {
        containers: [
          {
            name: "c",
            env: [
              { name: "API_KEY_SECRET", value: "x-api-key" },
              { name: "API_KEY_SECRET_2", value: "Zk3pQ9xLm2Rt7Vb1" },
            ],
          },
        ],
      },
    } as unknown as KubeObject;
    const env = (
      masker.maskObject(pod) as unknown as { spec: { containers: { env: { value: string }[] }[] } }
    ).spec.containers[0]?.env;
    expect(env?.[0]?.value).toBe("x-api-key");
    expect(env?.[1]?.value).toMatch(/^<masked fp:[0-9a-f]{12}>$/);
  });
});
