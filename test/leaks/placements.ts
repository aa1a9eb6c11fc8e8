/**
 * Where manifests hold credentials: every placement class of issue 11. A placement turns a value into
 * a Kubernetes object (or a message from another system) that holds it. Names carry no hint unless
 * the class is about names.
 */
import type { KubeObject } from "../../src/core/model.js";
import { password, pick, token } from "./random.js";

export interface Placement {
  id: string;
  /** The leak class of issue 11 this placement illustrates. */
  group: string;
  /** The object holding `value`; `name` makes it unique. */
  object?: (name: string, value: string) => KubeObject;
  /** A message from another system quoting `value` (API server, webhook). */
  message?: (value: string) => string;
  /** Placements of a single-line value only (a PEM block cannot sit on one shell line). */
  singleLine?: boolean;
  /** Values the placement can hold (others are drawn again, or the format is left out). */
  accepts?: (value: string) => boolean;
}

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: "apps", ...extra });

const deployment = (name: string, container: Record<string, unknown>): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: meta(name),
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "app", image: "ghcr.io/acme/app:1.4.2", ...container }] },
    },
  },
});

const configMap = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: meta(name),
  data,
});

const custom = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "acme.io/v1",
  kind: "Integration",
  metadata: meta(name),
  spec,
});

const helmRelease = (name: string, values: Record<string, unknown>): KubeObject => ({
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: meta(name),
  spec: { chart: { spec: { chart: "app", version: "1.2.3" } }, values },
});

const indent = (text: string, n: number) =>
  text
    .split("\n")
    .map((l) => " ".repeat(n) + l)
    .join("\n");

/** Neutral placements: every credential format goes through each of them. */
export const NEUTRAL: readonly Placement[] = [
  {
    id: "env-neutral-name",
    group: "1 format without detector",
    object: (n, v) => deployment(n, { env: [{ name: "UPSTREAM", value: v }] }),
  },
  { id: "configmap-neutral-key", group: "1", object: (n, v) => configMap(n, { target: v }) },
  {
    id: "annotation-neutral-key",
    group: "1",
    object: (n, v) => ({
      ...configMap(n, { a: "b" }),
      metadata: meta(n, { annotations: { "acme.io/notes": v } }),
    }),
  },
  { id: "custom-resource-field", group: "1", object: (n, v) => custom(n, { forwarder: { target: v } }) },
  {
    id: "yaml-file-in-configmap",
    group: "1",
    object: (n, v) =>
      configMap(n, { "app.yaml": `upstream:\n  retries: 3\n  target: |\n${indent(v.trimEnd(), 4)}\n` }),
  },
  {
    id: "json-file-in-configmap",
    group: "1",
    object: (n, v) => configMap(n, { "settings.json": JSON.stringify({ upstream: { target: v } }, null, 2) }),
  },
  {
    id: "args-neutral-flag",
    group: "1",
    object: (n, v) => deployment(n, { args: ["--upstream", v, "--verbose"] }),
  },
  {
    id: "shell-neutral",
    group: "1",
    singleLine: true,
    object: (n, v) => deployment(n, { command: ["sh", "-c", `exec /app/run --target '${v}' --port 8080`] }),
  },
  {
    // A key as one step of a path-like value, which `/` inside the key cuts into short segments.
    id: "path-segment",
    group: "8 high-entropy fallback",
    accepts: (v) => /^[A-Za-z0-9+/=_.-]{16,256}$/.test(v),
    object: (n, v) => configMap(n, { backup: `s3://acme-backups.example.com/${v}/daily` }),
  },
  {
    // The parser takes any name without `/` or whitespace: a credential can be an object's name,
    // which keys, audit records and refusals name.
    id: "object-name",
    group: "1",
    accepts: (v) => /^[^/\s]{1,253}$/.test(v),
    object: (n, v) => ({ ...custom(v, { owner: n }) }),
  },
  {
    id: "api-server-rejection",
    group: "9 message from another system",
    message: (v) =>
      `Deployment.apps "web" is invalid: spec.template.spec.containers[0].env[3].value: Invalid value: ${JSON.stringify(v)}: must be no more than 63 characters`,
  },
  {
    id: "webhook-denial",
    group: "9",
    singleLine: true,
    message: (v) =>
      `admission webhook "validate.kyverno.svc-fail" denied the request: resource Deployment/apps/web was blocked: value ${v} of UPSTREAM is not allowed`,
  },
];

/** Placements about names, lists, config syntaxes, shell strings: a generic secret in each. */
export const CONTEXTUAL: readonly Placement[] = [
  // 2. Field names the masker did not know.
  { id: "bare-key", group: "2 field name", object: (n, v) => custom(n, { license: { key: v } }) },
  { id: "appKey", group: "2", object: (n, v) => custom(n, { appKey: v }) },
  { id: "liveKey", group: "2", object: (n, v) => custom(n, { payments: { liveKey: v } }) },
  { id: "license_key", group: "2", object: (n, v) => configMap(n, { license_key: v }) },
  {
    id: "AccountKey-in-text",
    group: "2",
    singleLine: true,
    object: (n, v) =>
      configMap(n, { storage: `AccountName=acme;AccountKey=${v};EndpointSuffix=core.windows.net` }),
  },
  { id: "adminApi", group: "2", object: (n, v) => custom(n, { kong: { adminApi: v } }) },
  {
    id: "initial_management",
    group: "2",
    object: (n, v) => helmRelease(n, { global: { acl: { tokens: { initial_management: v } } } }),
  },
  { id: "users-map", group: "2", object: (n, v) => custom(n, { users: { admin: v } }) },
  {
    id: "--anthropic-key",
    group: "2",
    object: (n, v) => deployment(n, { args: ["serve", "--anthropic-key", v] }),
  },
  { id: "--stripe-key=", group: "2", object: (n, v) => deployment(n, { args: [`--stripe-key=${v}`] }) },
  // 3. name/value lists other than env.
  {
    id: "helm-extraEnvVars",
    group: "3 name/value list",
    object: (n, v) => helmRelease(n, { extraEnvVars: [{ name: "SMTP_PASSWORD", value: v }] }),
  },
  {
    id: "credentials-list",
    group: "3",
    object: (n, v) => custom(n, { credentials: [{ name: "admin", value: v }] }),
  },
  { id: "vars-list", group: "3", object: (n, v) => custom(n, { vars: [{ name: "API_TOKEN", value: v }] }) },
  {
    id: "data-list",
    group: "3",
    object: (n, v) => custom(n, { data: [{ name: "registry-password", value: v }] }),
  },
  {
    id: "probe-httpHeaders",
    group: "3",
    object: (n, v) =>
      deployment(n, {
        livenessProbe: {
          httpGet: { path: "/healthz", port: 8080, httpHeaders: [{ name: "X-Api-Key", value: v }] },
        },
      }),
  },
  {
    id: "tekton-params",
    group: "3",
    object: (n, v) => ({
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: meta(n),
      spec: { pipelineRef: { name: "build" }, params: [{ name: "registry-token", value: v }] },
    }),
  },
  // 4. Config syntaxes without `=` or `:`.
  {
    id: "netrc",
    group: "4 config syntax",
    singleLine: true,
    object: (n, v) => configMap(n, { ".netrc": `machine api.example.com login bob password ${v}\n` }),
  },
  {
    id: "pgpass",
    group: "4",
    singleLine: true,
    object: (n, v) => configMap(n, { ".pgpass": `db.internal:5432:app:app:${v}\n` }),
  },
  {
    id: "pgbouncer-userlist",
    group: "4",
    singleLine: true,
    object: (n, v) => configMap(n, { "userlist.txt": `"app" "${v}"\n"report" "md5${"0".repeat(4)}"\n` }),
  },
  {
    id: "redis-requirepass",
    group: "4",
    singleLine: true,
    object: (n, v) => configMap(n, { "redis.conf": `bind 0.0.0.0\nrequirepass ${v}\nmaxmemory 2gb\n` }),
  },
  {
    id: "fluent-bit-HTTP_Passwd",
    group: "4",
    singleLine: true,
    object: (n, v) =>
      configMap(n, {
        "fluent-bit.conf": `[OUTPUT]\n    Name  es\n    HTTP_User elastic\n    HTTP_Passwd ${v}\n`,
      }),
  },
  {
    id: "haproxy-insecure-password",
    group: "4",
    singleLine: true,
    object: (n, v) =>
      configMap(n, { "haproxy.cfg": `userlist admins\n  user admin insecure-password ${v}\n` }),
  },
  {
    id: "maven-settings-xml",
    group: "4",
    singleLine: true,
    object: (n, v) =>
      configMap(n, {
        "settings.xml": `<settings><servers><server><id>nexus</id><username>ci</username><password>${v}</password></server></servers></settings>`,
      }),
  },
  {
    id: "dotnet-appsettings-xml",
    group: "4",
    singleLine: true,
    object: (n, v) =>
      configMap(n, {
        "web.config": `<appSettings>\n  <add key="StorageKey" value="${v}" />\n</appSettings>`,
      }),
  },
  {
    id: "php-define",
    group: "4",
    singleLine: true,
    object: (n, v) => configMap(n, { "wp-config.php": `<?php\ndefine( 'AUTH_KEY', '${v}' );\n` }),
  },
  {
    id: "nginx-proxy_set_header",
    group: "4",
    singleLine: true,
    object: (n, v) =>
      configMap(n, {
        "default.conf": `location / {\n  proxy_set_header X-Upstream-Key "${v}";\n  proxy_pass http://app;\n}`,
      }),
  },
  {
    id: "js-setRequestHeader",
    group: "4",
    singleLine: true,
    object: (n, v) => configMap(n, { "probe.js": `xhr.setRequestHeader("X-Api-Key", "${v}");\nxhr.send();` }),
  },
  // 5. Shell strings and short flags.
  {
    id: "docker-login-p",
    group: "5 shell",
    singleLine: true,
    object: (n, v) =>
      deployment(n, { command: ["sh", "-c", `docker login -u ci -p ${v} registry.example.com`] }),
  },
  {
    id: "mysql-p",
    group: "5",
    singleLine: true,
    object: (n, v) => deployment(n, { command: ["sh", "-c", `mysql -h db -u root -p${v} app < /init.sql`] }),
  },
  {
    id: "redis-cli-a",
    group: "5",
    singleLine: true,
    object: (n, v) => deployment(n, { command: ["sh", "-c", `redis-cli -h cache -a ${v} ping`] }),
  },
  {
    id: "sshpass-p",
    group: "5",
    singleLine: true,
    object: (n, v) => deployment(n, { command: ["sshpass", "-p", v, "ssh", "bob@host"] }),
  },
  {
    id: "vault-login",
    group: "5",
    singleLine: true,
    object: (n, v) => deployment(n, { command: ["sh", "-c", `vault login ${v} && vault kv get secret/app`] }),
  },
  {
    id: "curl-u",
    group: "5",
    singleLine: true,
    object: (n, v) =>
      deployment(n, { command: ["sh", "-c", `curl -fsS -u ci:${v} https://nexus.example.com/`] }),
  },
];

/** The generic secret a contextual placement holds: a human password or an API-key-like string. */
export function contextualSecret(placement: Placement): string {
  return placement.id.includes("Key") || placement.id.includes("key") || placement.id === "adminApi"
    ? token(32)
    : pick([password(), token(24)]);
}
