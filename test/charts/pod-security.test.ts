import { describe, expect, it } from "vitest";
import { restrictedViolations } from "./pod-security.js";

// The chart tests trust this checker to say "no violations"; these cases prove it finds them.
const good = () => ({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
  containers: [
    {
      name: "app",
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    },
  ],
  volumes: [{ name: "tmp", emptyDir: {} }],
});

describe("restrictedViolations (Pod Security Standards, restricted)", () => {
  it("accepts a pod that meets the profile", () => {
    expect(restrictedViolations(good())).toEqual([]);
  });

  it.each([
    [
      "privileged",
      (p: ReturnType<typeof good>) => Object.assign(p.containers[0]!.securityContext, { privileged: true }),
      "privileged",
    ],
    [
      "host network",
      (p: ReturnType<typeof good>) => Object.assign(p, { hostNetwork: true }),
      "hostNetwork is true",
    ],
    [
      "a hostPath volume",
      (p: ReturnType<typeof good>) => p.volumes.push({ name: "h", hostPath: { path: "/" } } as never),
      "hostPath",
    ],
    [
      "escalation allowed",
      (p: ReturnType<typeof good>) =>
        Object.assign(p.containers[0]!.securityContext, { allowPrivilegeEscalation: true }),
      "allowPrivilegeEscalation",
    ],
    [
      "capabilities not dropped",
      (p: ReturnType<typeof good>) => Object.assign(p.containers[0]!.securityContext, { capabilities: {} }),
      "drop ALL",
    ],
    [
      "an added capability",
      (p: ReturnType<typeof good>) =>
        Object.assign(p.containers[0]!.securityContext, {
          capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] },
        }),
      "adds SYS_ADMIN",
    ],
    [
      "root allowed",
      (p: ReturnType<typeof good>) => Object.assign(p.securityContext, { runAsNonRoot: false }),
      "runAsNonRoot",
    ],
    [
      "uid 0",
      (p: ReturnType<typeof good>) => Object.assign(p.containers[0]!.securityContext, { runAsUser: 0 }),
      "runAsUser 0",
    ],
    [
      "no seccomp profile",
      (p: ReturnType<typeof good>) => Object.assign(p.securityContext, { seccompProfile: undefined }),
      "seccompProfile",
    ],
    [
      "seccomp unconfined",
      (p: ReturnType<typeof good>) =>
        Object.assign(p.containers[0]!.securityContext, { seccompProfile: { type: "Unconfined" } }),
      "seccompProfile",
    ],
    [
      "a host port",
      (p: ReturnType<typeof good>) =>
        Object.assign(p.containers[0]!, { ports: [{ containerPort: 80, hostPort: 80 }] }),
      "hostPort 80",
    ],
    [
      "an unsafe sysctl",
      (p: ReturnType<typeof good>) =>
        Object.assign(p.securityContext, { sysctls: [{ name: "kernel.msgmax", value: "1" }] }),
      "kernel.msgmax",
    ],
  ])("rejects %s", (_what, spoil, message) => {
    const pod = good();
    spoil(pod);
    expect(restrictedViolations(pod).join("\n")).toContain(message);
  });

  it("checks init containers too", () => {
    const pod = { ...good(), initContainers: [{ name: "init", securityContext: {} }] };
    expect(restrictedViolations(pod)).toContain("container init: allowPrivilegeEscalation is not false");
  });
});
