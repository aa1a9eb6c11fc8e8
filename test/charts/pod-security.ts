/**
 * Kubernetes Pod Security Standards, "restricted" profile (which includes "baseline"), as of
 * Kubernetes 1.33, checked on a pod spec: what the PodSecurity admission controller enforces on a
 * namespace labelled `pod-security.kubernetes.io/enforce: restricted`. Returns the violations.
 */

type Json = Record<string, unknown>;

const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);
const RESTRICTED_VOLUMES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
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
const SELINUX_TYPES = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);

const obj = (value: unknown): Json => (value !== null && typeof value === "object" ? (value as Json) : {});
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);

export function restrictedViolations(podSpec: Json, podAnnotations: Json = {}): string[] {
  const out: string[] = [];
  const pod = obj(podSpec["securityContext"]);
  const containers = [
    ...list(podSpec["initContainers"]),
    ...list(podSpec["containers"]),
    ...list(podSpec["ephemeralContainers"]),
  ];
  if (containers.length === 0) out.push("no containers");

  // Baseline.
  for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (podSpec[field] === true) out.push(`${field} is true`);
  }
  if (obj(pod["windowsOptions"])["hostProcess"] === true) out.push("pod: hostProcess");
  for (const volume of list(podSpec["volumes"])) {
    const type = Object.keys(volume).find((key) => key !== "name") ?? "(none)";
    if (type === "hostPath") out.push(`volume ${String(volume["name"])}: hostPath`);
    if (!RESTRICTED_VOLUMES.has(type))
      out.push(`volume ${String(volume["name"])}: type ${type} is not allowed`);
  }
  for (const sysctl of list(pod["sysctls"])) {
    if (!SAFE_SYSCTLS.has(String(sysctl["name"]))) out.push(`sysctl ${String(sysctl["name"])} is not safe`);
  }
  for (const [key, value] of Object.entries(podAnnotations)) {
    if (key.startsWith("container.apparmor.security.beta.kubernetes.io/") && value === "unconfined") {
      out.push(`AppArmor unconfined (${key})`);
    }
  }
  const seLinux = (where: string, context: Json): void => {
    const options = obj(context["seLinuxOptions"]);
    if (!SELINUX_TYPES.has(String(options["type"] ?? ""))) out.push(`${where}: seLinuxOptions.type`);
    if (options["user"] !== undefined || options["role"] !== undefined)
      out.push(`${where}: seLinuxOptions user/role`);
  };
  const appArmor = (where: string, context: Json): void => {
    const type = obj(context["appArmorProfile"])["type"];
    if (type !== undefined && type !== "RuntimeDefault" && type !== "Localhost")
      out.push(`${where}: AppArmor ${type}`);
  };
  seLinux("pod", pod);
  appArmor("pod", pod);

  // Restricted, pod level.
  const podSeccomp = obj(pod["seccompProfile"])["type"];
  const podSeccompOk = podSeccomp === "RuntimeDefault" || podSeccomp === "Localhost";
  if (podSeccomp !== undefined && !podSeccompOk) out.push(`pod: seccompProfile ${String(podSeccomp)}`);
  if (pod["runAsUser"] === 0) out.push("pod: runAsUser 0");

  for (const container of containers) {
    const name = `container ${String(container["name"])}`;
    const context = obj(container["securityContext"]);
    if (context["privileged"] === true) out.push(`${name}: privileged`);
    if (obj(context["windowsOptions"])["hostProcess"] === true) out.push(`${name}: hostProcess`);
    if (context["procMount"] !== undefined && context["procMount"] !== "Default")
      out.push(`${name}: procMount`);
    seLinux(name, context);
    appArmor(name, context);
    for (const port of list(container["ports"])) {
      if (port["hostPort"] !== undefined && port["hostPort"] !== 0)
        out.push(`${name}: hostPort ${String(port["hostPort"])}`);
    }
    const capabilities = obj(context["capabilities"]);
    const added = Array.isArray(capabilities["add"]) ? capabilities["add"].map(String) : [];
    for (const capability of added) {
      if (!BASELINE_CAPABILITIES.has(capability)) out.push(`${name}: adds ${capability}`);
      if (capability !== "NET_BIND_SERVICE")
        out.push(`${name}: adds ${capability} (restricted allows NET_BIND_SERVICE only)`);
    }
    const dropped = Array.isArray(capabilities["drop"]) ? capabilities["drop"].map(String) : [];
    if (!dropped.includes("ALL")) out.push(`${name}: does not drop ALL capabilities`);
    if (context["allowPrivilegeEscalation"] !== false)
      out.push(`${name}: allowPrivilegeEscalation is not false`);
    if (
      context["runAsNonRoot"] === false ||
      (context["runAsNonRoot"] !== true && pod["runAsNonRoot"] !== true)
    ) {
      out.push(`${name}: runAsNonRoot is not true`);
    }
    if (context["runAsUser"] === 0) out.push(`${name}: runAsUser 0`);
    const seccomp = obj(context["seccompProfile"])["type"];
    if (seccomp === undefined ? !podSeccompOk : seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
      out.push(`${name}: seccompProfile is not RuntimeDefault or Localhost`);
    }
  }
  return out;
}
