/**
 * The leak corpus: every credential format in every neutral placement, generic secrets in every
 * contextual placement (names, lists, config syntaxes, shell strings, htpasswd, base64), each as a
 * create, an update (both sides secret) or a delete. Fresh random values on every run.
 */
import { stringify } from "yaml";
import type { KubeObject } from "../../src/core/model.js";
import { FORMATS, credential } from "./formats.js";
import type { Credential } from "./formats.js";
import { CONTEXTUAL, NEUTRAL, contextualSecret } from "./placements.js";
import type { Placement } from "./placements.js";
import { ALNUM, digits, draw, hex, password, pem } from "./random.js";

export type Op = "create" | "update" | "delete";

export interface Entry {
  id: string;
  group: string;
  format: string;
  op: Op;
  /** Object at base (update, delete) and at head (create, update), or a message. */
  base?: KubeObject;
  head?: KubeObject;
  message?: string;
  /** The credential a message quotes, as a manifest would hold it (other outputs quote it too). */
  value?: string;
  /** Strings that must appear in no output. */
  needles: string[];
}

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** Base64 under neutral keys (class 7): each returns the object and what it hides. */
const BASE64: readonly { id: string; make: (name: string) => { object: KubeObject; needles: string[] } }[] = [
  {
    id: "service-account-json-b64",
    make: (name) => {
      const key = pem("PRIVATE KEY");
      const json = JSON.stringify({
        type: "service_account",
        project_id: "acme-prod",
        private_key_id: hex(40),
        private_key: key,
        client_email: `deployer@acme-prod.iam.gserviceaccount.com`,
      });
      const encoded = b64(json);
      return { object: cm(name, { "gcp.json": encoded }), needles: [encoded, ...bodyLines(key)] };
    },
  },
  {
    id: "pem-under-tls.key",
    make: (name) => {
      const key = pem("EC PRIVATE KEY", 3);
      const encoded = b64(key);
      return {
        object: {
          apiVersion: "acme.io/v1",
          kind: "Gateway",
          metadata: { name, namespace: "apps" },
          spec: { tls: { "tls.crt": b64("not a cert"), "tls.key": encoded } },
        },
        needles: [encoded, ...bodyLines(key)],
      };
    },
  },
  {
    id: "kubeconfig-client-key-data",
    make: (name) => {
      const key = pem("RSA PRIVATE KEY");
      const encoded = b64(key);
      const kubeconfig = stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "prod", cluster: { server: "https://10.0.0.1:6443" } }],
        users: [
          { name: "admin", user: { "client-certificate-data": b64("cert"), "client-key-data": encoded } },
        ],
      });
      return { object: cm(name, { kubeconfig }), needles: [encoded, ...bodyLines(key)] };
    },
  },
  {
    id: "dockerconfigjson-b64",
    make: (name) => {
      const pw = password();
      const auth = b64(`ci:${pw}`);
      const encoded = b64(
        JSON.stringify({ auths: { "registry.example.com": { username: "ci", password: pw, auth } } }),
      );
      return { object: cm(name, { "docker.json": encoded }), needles: [encoded, pw, auth] };
    },
  },
  {
    id: "htpasswd-lines",
    make: (name) => {
      const a = `$2y$10$${draw(`${ALNUM}./`, 53)}`;
      const b = `$apr1$${draw(ALNUM, 8)}$${draw(`${ALNUM}./`, 22)}`;
      return { object: cm(name, { users: `admin:${a}\nbob:${b}\n` }), needles: [a, b] };
    },
  },
];

function cm(name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "apps" }, data };
}

function bodyLines(block: string): string[] {
  return block.split("\n").filter((l) => l.length > 40 && !l.startsWith("-----"));
}

const OPS: readonly Op[] = ["create", "update", "delete"];

function placed(
  placement: Placement,
  name: string,
  op: Op,
  make: () => Credential,
  id: string,
  group: string,
): Entry {
  const after = make();
  const entry: Entry = { id, group, format: after.format, op, needles: [...after.needles] };
  if (placement.message) {
    entry.message = placement.message(after.value);
    entry.value = after.value;
    return entry;
  }
  const object = placement.object as (n: string, v: string) => KubeObject;
  if (op === "update") {
    const before = make();
    entry.needles.push(...before.needles);
    entry.base = object(name, before.value);
    entry.head = object(name, after.value);
  } else if (op === "create") entry.head = object(name, after.value);
  else entry.base = object(name, after.value);
  return entry;
}

/** A fresh corpus. */
export function buildCorpus(): Entry[] {
  const entries: Entry[] = [];
  let n = 0;
  const next = () => `leak-${++n}-${digits(4)}`;
  for (const format of FORMATS) {
    for (const placement of NEUTRAL) {
      const accepts = placement.accepts ?? (() => true);
      // A format whose values the placement rarely holds (a `/` in base64) is drawn a few times.
      const make = (): Credential | undefined => {
        for (let i = 0; i < 20; i++) {
          const c = credential(format);
          if (accepts(c.value)) return c;
        }
        return undefined;
      };
      const sample = make();
      if (sample === undefined || (placement.singleLine && sample.value.includes("\n"))) continue;
      const op = OPS[n % 3] as Op;
      entries.push(
        placed(placement, next(), op, () => make() ?? sample, `${format}@${placement.id}`, placement.group),
      );
    }
  }
  for (const placement of CONTEXTUAL) {
    for (const op of OPS) {
      const make = (): Credential => {
        const v = contextualSecret(placement);
        return { format: "generic", value: v, needles: [v] };
      };
      entries.push(placed(placement, next(), op, make, `${placement.id}/${op}`, placement.group));
    }
  }
  for (const b of BASE64) {
    for (const op of OPS) {
      const name = next();
      const after = b.make(name);
      const entry: Entry = {
        id: `${b.id}/${op}`,
        group: b.id.startsWith("htpasswd") ? "6 htpasswd" : "7 base64",
        format: b.id,
        op,
        needles: after.needles,
      };
      if (op === "update") {
        const before = b.make(name);
        entry.needles.push(...before.needles);
        entry.base = before.object;
        entry.head = after.object;
      } else if (op === "create") entry.head = after.object;
      else entry.base = after.object;
      entries.push(entry);
    }
  }
  return entries;
}
