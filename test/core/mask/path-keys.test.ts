import { describe, expect, it } from "vitest";
import { createMasker } from "../../../src/core/mask/masker.js";

const masker = createMasker({ fingerprintKey: "test-key" });
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Seeded (xorshift), so a run never meets the rare key the randomness test cannot tell from text. */
let seed = 0x2545f491;
function next(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % 64;
}

/** A 40-character standard base64 key (an AWS secret access key's shape) with `/` in it. */
function slashedKey(): string {
  for (;;) {
    const key = Array.from({ length: 40 }, () => B64[next()]).join("");
    if (key.slice(1, -1).includes("/")) return key;
  }
}

describe("a base64 key as one step of a path", () => {
  it.each([
    (k: string) => `backup: s3://acme-backups.example.com/${k}/daily`,
    (k: string) => `image: acme.io/${k}/v1`,
    (k: string) => `url: https://hooks.example.com/${k}/v1`,
    (k: string) => `path: my-bucket/${k}`,
  ])("is masked wherever `/` cuts it (%#)", (place) => {
    for (let i = 0; i < 50; i++) {
      const key = slashedKey();
      const masked = masker.maskText(place(key));
      for (const piece of key.split(/[/+]/)) if (piece.length >= 8) expect(masked).not.toContain(piece);
    }
  });

  it.each([
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html",
    "https://github.com/kubernetes/ingress-nginx/blob/main/docs/UserGuide/ConfigMap.md",
    "/apis/admissionregistration.k8s.io/v1/ValidatingWebhookConfigurations/AwsLoadBalancer",
    "https://github.com/Azure/AzureStack-Tools/blob/az/CanaryValidator/README.md",
    "/apis/apps/v1/namespaces/kube-system/deployments/CoreDNS/scale",
  ])("leaves a path of words and CamelCase alone: %s", (path) => {
    expect(masker.maskText(path)).toBe(path);
  });
});
