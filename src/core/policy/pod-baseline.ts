/**
 * Pod Security Standards baseline checks that CEL would do per container and per rule: one pass
 * over the pod spec, memoised per object by the CEL environment, filtered by each rule.
 */
import { containers, podSpec, podSpecPath } from "./helpers.js";
import { podMetadataPath } from "./helpers.js";

type Obj = Record<string, unknown>;

export interface BaselineHit {
  check: "procMount" | "seLinux" | "sysctl" | "appArmorAnnotation";
  path: string;
  what: string;
  detail: string;
}

const SELINUX_TYPES = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const APPARMOR = "container.apparmor.security.beta.kubernetes.io/";

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function at(value: unknown, ...keys: string[]): unknown {
  let v = value;
  for (const k of keys) v = isObj(v) ? v[k] : undefined;
  return v;
}

export function podBaseline(object: unknown): BaselineHit[] {
  const spec = podSpec(object);
  if (spec === null) return [];
  const specPath = podSpecPath(object) ?? "spec";
  const out: BaselineHit[] = [];
  const seLinux = (options: unknown, path: string, what: string) => {
    if (!isObj(options)) return;
    const type = typeof options["type"] === "string" ? options["type"] : "";
    if (!SELINUX_TYPES.has(type))
      out.push({ check: "seLinux", path: `${path}.type`, what, detail: `type ${type}` });
    for (const field of ["user", "role"])
      if (typeof options[field] === "string" && options[field] !== "")
        out.push({
          check: "seLinux",
          path: `${path}.${field}`,
          what,
          detail: `${field} ${String(options[field])}`,
        });
  };
  seLinux(
    at(spec, "securityContext", "seLinuxOptions"),
    `${specPath}.securityContext.seLinuxOptions`,
    "the pod",
  );
  const sysctls = at(spec, "securityContext", "sysctls");
  if (Array.isArray(sysctls))
    sysctls.forEach((s, i) => {
      const name = at(s, "name");
      if (typeof name !== "string" || !SAFE_SYSCTLS.has(name))
        out.push({
          check: "sysctl",
          path: `${specPath}.securityContext.sysctls[${i}]`,
          what: "the pod",
          detail: typeof name === "string" ? name : "?",
        });
    });
  for (const c of containers(object)) {
    const context = at(c.spec, "securityContext");
    const procMount = at(context, "procMount");
    if (procMount !== undefined && procMount !== "Default")
      out.push({
        check: "procMount",
        path: `${c.path}.securityContext.procMount`,
        what: `container ${c.name}`,
        detail: String(procMount),
      });
    seLinux(at(context, "seLinuxOptions"), `${c.path}.securityContext.seLinuxOptions`, `container ${c.name}`);
  }
  const metaPath = podMetadataPath(object);
  const annotations = metaPath === "" ? undefined : at(object, ...metaPath.split("."), "annotations");
  if (isObj(annotations))
    for (const [key, value] of Object.entries(annotations))
      if (key.startsWith(APPARMOR) && value === "unconfined")
        out.push({
          check: "appArmorAnnotation",
          path: `${metaPath}.annotations["${key}"]`,
          what: `container ${key.slice(APPARMOR.length)}`,
          detail: key,
        });
  return out;
}
