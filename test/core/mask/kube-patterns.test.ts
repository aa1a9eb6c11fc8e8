import { describe, expect, it } from "vitest";
import { detectBootstrapTokens } from "../../../src/core/mask/kube-patterns.js";
import { createMasker } from "../../../src/core/mask/masker.js";

const found = (text: string): string[] => detectBootstrapTokens(text).map((s) => text.slice(s.start, s.end));

describe("Kubernetes bootstrap tokens", () => {
  it.each([
    [
      "kubeadm join 10.0.0.1:6443 --token 9a08jv.c0izixklcxtmnze7 --discovery-token-ca-cert-hash sha256:x",
      "9a08jv.c0izixklcxtmnze7",
    ],
    ['join: "abcdef.0123456789abcdef"', "abcdef.0123456789abcdef"],
    ["upstream: 07401b.f395accd246ae52d", "07401b.f395accd246ae52d"],
  ])("finds the token in %s", (text, token) => {
    expect(found(text)).toEqual([token]);
    expect(createMasker({ fingerprintKey: "k" }).maskText(text)).not.toContain(token.slice(7));
  });

  it.each([
    // Host names and versions: longer, dotted on, or without a digit in the second half.
    "images.elasticsearchs",
    "registry.k8s.io/pause:3.9",
    "a.abcdef.0123456789abcdef.example.com",
    "abcdef.0123456789abcdefg",
    "Abcdef.0123456789abcdef",
    "sub-abcdef.0123456789abcdef",
  ])("leaves %s alone", (text) => {
    expect(found(text)).toEqual([]);
  });
});
