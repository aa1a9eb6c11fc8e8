import { describe, expect, it } from "vitest";
import { createDefaultEngine } from "../../src/policy-engine/engine.js";

const pack = `apiVersion: countersign.dev/v1alpha1
kind: RiskPolicy
metadata:
  name: default
  labels: { countersign.dev/pack: default }
spec:
  countersignNamespace: from-pack
  rules: []
`;
const org = `apiVersion: countersign.dev/v1alpha1
kind: RiskPolicy
metadata: { name: org }
spec:
  extends: default
  countersignNamespace: from-org-policy
  rules: []
`;

describe("createDefaultEngine.compilePolicy", () => {
  const engine = () =>
    createDefaultEngine({ defaultSources: async () => [{ file: "default.yaml", content: pack }] });

  it("keeps the policy's own countersign namespace when the repository configuration names none", async () => {
    const e = engine();
    expect((await e.compilePolicy(undefined)).countersignNamespace).toBe("from-pack");
    const withOrg = await e.compilePolicy([{ file: ".github/policy/org.yaml", content: org }]);
    expect(withOrg.countersignNamespace).toBe("from-org-policy");
  });

  it("lets the repository configuration's namespace win, and caches each separately", async () => {
    const e = engine();
    const configured = await e.compilePolicy(undefined, "ops-gate");
    expect(configured.countersignNamespace).toBe("ops-gate");
    expect((await e.compilePolicy(undefined)).countersignNamespace).toBe("from-pack");
    expect(await e.compilePolicy(undefined, "ops-gate")).toBe(configured);
  });
});
