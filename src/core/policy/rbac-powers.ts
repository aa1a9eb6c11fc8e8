/**
 * What an RBAC rule effectively allows, judged the way the API server's authorizer reads it:
 * `*` in verbs includes `escalate`, `bind` and `impersonate`; `*` in resources includes every
 * subresource; `resourceNames` narrows a grant to the objects it names. Rules see one power per
 * rule and kind of power, so a grant is judged by what it allows whether or not a wildcard appears.
 */

type Obj = Record<string, unknown>;

/** One power a rule grants: `rules[i]`, which power, a short text for the reason, and whether resourceNames narrow it. */
export interface RbacPower {
  path: string;
  power: RbacPowerName;
  what: string;
  named: boolean;
}

export type RbacPowerName =
  | "cluster-admin"
  | "escalate"
  | "bind"
  | "impersonate"
  | "api-write"
  | "csr-approve"
  | "nodes-write"
  | "workloads-create"
  | "exec"
  | "sa-token"
  | "secrets-read";

const WRITE = ["create", "update", "patch", "delete", "deletecollection"];

/** The API's own plumbing: whoever writes these controls admission, routing, types or permissions. */
const PLUMBING: readonly [string, string][] = [
  ["admissionregistration.k8s.io", "mutatingwebhookconfigurations"],
  ["admissionregistration.k8s.io", "validatingwebhookconfigurations"],
  ["admissionregistration.k8s.io", "validatingadmissionpolicies"],
  ["admissionregistration.k8s.io", "validatingadmissionpolicybindings"],
  ["admissionregistration.k8s.io", "mutatingadmissionpolicies"],
  ["admissionregistration.k8s.io", "mutatingadmissionpolicybindings"],
  ["apiregistration.k8s.io", "apiservices"],
  ["apiextensions.k8s.io", "customresourcedefinitions"],
  ["rbac.authorization.k8s.io", "roles"],
  ["rbac.authorization.k8s.io", "clusterroles"],
  ["rbac.authorization.k8s.io", "rolebindings"],
  ["rbac.authorization.k8s.io", "clusterrolebindings"],
];

const WORKLOADS: readonly [string, string][] = [
  ["", "pods"],
  ["", "replicationcontrollers"],
  ["apps", "deployments"],
  ["apps", "daemonsets"],
  ["apps", "statefulsets"],
  ["apps", "replicasets"],
  ["batch", "jobs"],
  ["batch", "cronjobs"],
];

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

class Rule {
  readonly groups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly names: string[];
  readonly urls: string[];
  constructor(rule: Obj) {
    this.groups = strings(rule["apiGroups"]);
    this.resources = strings(rule["resources"]).map((r) => r.toLowerCase());
    this.verbs = strings(rule["verbs"]).map((v) => v.toLowerCase());
    this.names = strings(rule["resourceNames"]);
    this.urls = strings(rule["nonResourceURLs"]);
  }

  allows(group: string, resource: string, verbs: readonly string[]): boolean {
    if (!this.groups.includes("*") && !this.groups.includes(group)) return false;
    const slash = resource.indexOf("/");
    const parent = slash < 0 ? undefined : `${resource.slice(0, slash)}/*`;
    const resourceOk =
      this.resources.includes("*") ||
      this.resources.includes(resource) ||
      (parent !== undefined && this.resources.includes(parent));
    return resourceOk && (this.verbs.includes("*") || verbs.some((v) => this.verbs.includes(v)));
  }

  /** The resources of `pairs` this rule allows `verbs` on. */
  allowed(pairs: readonly (readonly [string, string])[], verbs: readonly string[]): string[] {
    return pairs.filter(([g, r]) => this.allows(g, r, verbs)).map(([, r]) => r);
  }
}

/**
 * The powers `object.rules` grant (a Role or ClusterRole). A full wildcard (`*` verbs on `*`
 * resources in `*` groups, unnarrowed) is reported as cluster-admin only; other rules are broken
 * down into the powers that matter.
 */
export function rbacPowers(object: unknown): RbacPower[] {
  if (object === null || typeof object !== "object") return [];
  const record = object as Obj;
  const list = Array.isArray(record["rules"]) ? (record["rules"] as unknown[]) : [];
  const clusterRole = record["kind"] === "ClusterRole";
  const rules = list.map((r) =>
    r !== null && typeof r === "object" && !Array.isArray(r) ? new Rule(r as Obj) : undefined,
  );
  const approvesSigners = rules.some(
    (r) => r?.allows("certificates.k8s.io", "signers", ["approve"]) ?? false,
  );
  const out: RbacPower[] = [];
  rules.forEach((rule, index) => {
    if (rule === undefined) return;
    const path = `rules[${index}]`;
    const named = rule.names.length > 0;
    const only = named ? ` (only ${rule.names.slice(0, 5).join(", ")})` : "";
    const add = (power: RbacPowerName, what: string) =>
      out.push({ path, power, what: `${what}${only}`, named });
    const everything = rule.groups.includes("*") && rule.resources.includes("*") && rule.verbs.includes("*");
    if (everything && !named) {
      add("cluster-admin", "every verb on every resource of every API group");
      return;
    }
    for (const verb of ["escalate", "bind"] as const) {
      const on = rule.allowed(
        [
          ["rbac.authorization.k8s.io", "roles"],
          ["rbac.authorization.k8s.io", "clusterroles"],
        ],
        [verb],
      );
      if (on.length > 0) add(verb, `${verb} on ${on.join(", ")}`);
    }
    const impersonated = [
      ...rule.allowed(
        [
          ["", "users"],
          ["", "groups"],
          ["", "serviceaccounts"],
        ],
        ["impersonate"],
      ),
      ...rule.allowed(
        [
          ["authentication.k8s.io", "userextras/scopes"],
          ["authentication.k8s.io", "uids"],
        ],
        ["impersonate"],
      ),
    ];
    if (impersonated.length > 0) add("impersonate", `impersonate ${impersonated.join(", ")}`);
    const plumbing = rule.allowed(PLUMBING, WRITE);
    if (plumbing.length > 0) add("api-write", `write access to ${plumbing.join(", ")}`);
    if (
      approvesSigners &&
      rule.allows("certificates.k8s.io", "certificatesigningrequests/approval", ["update", "patch"])
    )
      add(
        "csr-approve",
        "approval of certificate signing requests (any client certificate the signers issue)",
      );
    const nodes = rule.allowed(
      [
        ["", "nodes"],
        ["", "nodes/status"],
      ],
      ["update", "patch", "delete"],
    );
    if (nodes.length > 0) add("nodes-write", `write access to ${nodes.join(", ")}`);
    if (clusterRole) {
      const workloads = rule.allowed(WORKLOADS, ["create"]);
      if (workloads.length > 0) add("workloads-create", `create ${workloads.join(", ")}`);
    }
    const exec = rule.allowed(
      [
        ["", "pods/exec"],
        ["", "pods/attach"],
        ["", "nodes/proxy"],
      ],
      ["create", "get"],
    );
    if (exec.length > 0) add("exec", exec.join(", "));
    if (rule.allows("", "serviceaccounts/token", ["create"]))
      add("sa-token", "serviceaccounts/token (create)");
    const reads = ["get", "list", "watch"].filter((v) => rule.allows("", "secrets", [v]));
    if (reads.length > 0)
      add("secrets-read", `Secrets (${rule.verbs.includes("*") ? "*" : reads.join(", ")})`);
  });
  return out;
}
