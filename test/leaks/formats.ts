/**
 * Real credential formats for the leak corpus, each drawing a fresh random value in its real shape.
 * `value` is what a manifest holds; `needles` are the parts that must never appear in any output.
 * Written from the vendors' documented formats, independently of the masker's rule table.
 */
import { randomBytes, randomUUID } from "node:crypto";
import {
  ALNUM,
  B64URL,
  BECH32,
  DIGITS,
  HEX,
  LOWER,
  UPPER,
  b64,
  b64url,
  digits,
  draw,
  hex,
  pem,
  token,
} from "./random.js";

export interface Credential {
  format: string;
  value: string;
  needles: string[];
}

type Maker = () => { value: string; needles?: string[] };

const jwtPart = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");
const jwt = (): string =>
  `${jwtPart({ alg: "RS256", kid: hex(8) })}.${jwtPart({ sub: `system:serviceaccount:${draw(LOWER, 6)}`, iat: Date.now() })}.${b64url(64)}`;

/** The PEM body lines are the needles: a report might re-wrap the block, never its content. */
const pemNeedles = (block: string): string[] =>
  block.split("\n").filter((l) => l.length > 40 && !l.startsWith("-----"));

const MAKERS: Record<string, Maker> = {
  "aws-access-key-id": () => ({ value: `AKIA${draw(UPPER + "234567", 16)}` }),
  "aws-sts-key-id": () => ({ value: `ASIA${draw(UPPER + "234567", 16)}` }),
  "github-classic-pat": () => ({ value: `ghp_${token(36)}` }),
  "github-oauth": () => ({ value: `gho_${token(36)}` }),
  "github-app-install": () => ({ value: `ghs_${token(36)}` }),
  "github-fine-grained": () => ({ value: `github_pat_${token(22)}_${token(59)}` }),
  "gitlab-pat": () => ({ value: `glpat-${draw(ALNUM + "_-", 20)}` }),
  "gitlab-runner": () => ({ value: `glrt-${draw(ALNUM + "_-", 20)}` }),
  "slack-bot": () => ({ value: `xoxb-${digits(12)}-${digits(13)}-${token(24)}` }),
  "slack-user": () => ({ value: `xoxp-${digits(12)}-${digits(12)}-${digits(13)}-${hex(32)}` }),
  "slack-app": () => ({ value: `xapp-1-A${draw(UPPER + DIGITS, 10)}-${digits(13)}-${hex(64)}` }),
  "slack-webhook": () => {
    const t = token(24);
    return {
      value: `https://hooks.slack.com/services/T${draw(UPPER + DIGITS, 8)}/B${draw(UPPER + DIGITS, 10)}/${t}`,
      needles: [t],
    };
  },
  "discord-webhook": () => {
    const t = draw(B64URL, 68);
    return { value: `https://discord.com/api/webhooks/${digits(18)}/${t}`, needles: [t] };
  },
  "discord-bot": () => ({ value: `M${token(23)}.${draw(B64URL, 6)}.${draw(B64URL, 27)}` }),
  "teams-webhook": () => {
    const t = hex(32);
    return {
      value: `https://acme.webhook.office.com/webhookb2/${randomUUID()}@${randomUUID()}/IncomingWebhook/${t}/${randomUUID()}`,
      needles: [t],
    };
  },
  "telegram-bot": () => ({ value: `${digits(10)}:AA${draw(B64URL, 33)}` }),
  "stripe-secret": () => ({ value: `sk_live_${token(99)}` }),
  "stripe-restricted": () => ({ value: `rk_live_${token(99)}` }),
  "stripe-webhook-secret": () => ({ value: `whsec_${token(32)}` }),
  "mapbox-secret": () => ({
    value: `sk.${jwtPart({ u: draw(LOWER, 8), a: draw(ALNUM, 25) })}.${draw(B64URL, 22)}`,
  }),
  "age-secret-key": () => ({ value: `AGE-SECRET-KEY-1${draw(BECH32, 58)}` }),
  "azure-sas": () => {
    const sig = encodeURIComponent(b64(32));
    return {
      value: `https://acme${draw(LOWER, 4)}.blob.core.windows.net/backups?sv=2022-11-02&ss=b&srt=co&sp=rwl&se=2027-01-01T00:00:00Z&sig=${sig}`,
      needles: [sig],
    };
  },
  "azure-storage-connection": () => {
    const key = b64(64);
    return {
      value: `DefaultEndpointsProtocol=https;AccountName=acme${draw(LOWER, 4)};AccountKey=${key};EndpointSuffix=core.windows.net`,
      needles: [key],
    };
  },
  "azure-ad-client-secret": () => ({ value: `${draw(ALNUM, 3)}8Q~${draw(ALNUM + "_~.-", 34)}` }),
  "okta-ssws": () => {
    const t = `00${draw(ALNUM + "_-", 40)}`;
    return { value: `Authorization: SSWS ${t}`, needles: [t] };
  },
  "dockerhub-pat": () => ({ value: `dckr_pat_${draw(ALNUM + "_-", 27)}` }),
  "vault-service": () => ({ value: `hvs.${draw(ALNUM + "_-", 91)}` }),
  "vault-legacy": () => ({ value: `s.${token(24)}` }),
  "npm-token": () => ({ value: `npm_${token(36)}` }),
  "pypi-token": () => ({ value: `pypi-AgEIcHlwaS5vcmc${draw(B64URL, 70)}` }),
  "openai-project": () => ({ value: `sk-proj-${draw(B64URL, 74)}T3BlbkFJ${draw(B64URL, 74)}` }),
  anthropic: () => ({ value: `sk-ant-api03-${draw(B64URL, 93)}AA` }),
  "google-api-key": () => ({ value: `AIza${draw(ALNUM + "_-", 35)}` }),
  sendgrid: () => ({ value: `SG.${draw(B64URL, 22)}.${draw(B64URL, 43)}` }),
  "twilio-api-key": () => ({ value: `SK${hex(32)}` }),
  mailgun: () => ({ value: `key-${hex(32)}` }),
  mailchimp: () => ({ value: `${hex(32)}-us${1 + Math.floor(Math.random() * 20)}` }),
  "shopify-access": () => ({ value: `shpat_${hex(32)}` }),
  huggingface: () => ({ value: `hf_${draw(UPPER + LOWER, 34)}` }),
  databricks: () => ({ value: `dapi${hex(32)}` }),
  digitalocean: () => ({ value: `dop_v1_${hex(64)}` }),
  linear: () => ({ value: `lin_api_${token(40)}` }),
  notion: () => ({ value: `ntn_${digits(11)}${token(35)}` }),
  "grafana-sa": () => ({ value: `glsa_${token(32)}_${hex(8)}` }),
  doppler: () => ({ value: `dp.st.prd.${token(40)}` }),
  pulumi: () => ({ value: `pul-${hex(40)}` }),
  "newrelic-user": () => ({ value: `NRAK-${draw(UPPER + DIGITS, 27)}` }),
  "datadog-api-key": () => ({ value: hex(32) }),
  atlassian: () => ({ value: `ATATT3xFfGF0${draw(ALNUM + "_-", 170)}=${hex(8).toUpperCase()}` }),
  jfrog: () => ({ value: `AKCp8${token(68)}` }),
  "sentry-dsn": () => {
    const k = hex(32);
    return { value: `https://${k}@o${digits(6)}.ingest.sentry.io/${digits(7)}`, needles: [k] };
  },
  square: () => ({ value: `sq0csp-${draw(ALNUM + "_-", 43)}` }),
  braintree: () => ({ value: `access_token$production$${draw(LOWER + DIGITS, 16)}$${hex(32)}` }),
  postman: () => ({ value: `PMAK-${hex(24)}-${hex(34)}` }),
  rubygems: () => ({ value: `rubygems_${hex(48)}` }),
  planetscale: () => ({ value: `pscale_tkn_${draw(ALNUM + "_-", 43)}` }),
  supabase: () => ({ value: `sbp_${hex(40)}` }),
  tailscale: () => ({ value: `tskey-auth-k${token(10)}CNTRL-${token(33)}` }),
  alibaba: () => ({ value: `LTAI${token(20)}` }),
  tencent: () => ({ value: `AKID${token(32)}` }),
  contentful: () => ({ value: `CFPAT-${draw(ALNUM + "_-", 43)}` }),
  netlify: () => ({ value: `nfp_${token(36)}` }),
  groq: () => ({ value: `gsk_${token(52)}` }),
  dynatrace: () => ({ value: `dt0c01.${draw(UPPER + DIGITS, 24)}.${draw(UPPER + DIGITS, 64)}` }),
  sourcegraph: () => ({ value: `sgp_${hex(40)}` }),
  "terraform-cloud": () => ({ value: `${token(14)}.atlasv1.${draw(ALNUM + "_-", 67)}` }),
  replicate: () => ({ value: `r8_${token(37)}` }),
  airtable: () => ({ value: `pat${token(14)}.${hex(64)}` }),
  sendinblue: () => ({ value: `xkeysib-${hex(64)}-${token(16)}` }),
  buildkite: () => ({ value: `bkua_${hex(40)}` }),
  "1password-sa": () => ({ value: `ops_eyJ${draw(ALNUM, 200)}fQ==` }),
  "cloudflare-api-token": () => ({ value: draw(ALNUM + "_-", 40) }),
  "aws-secret-access-key": () => ({ value: draw(ALNUM + "+/", 40) }),
  "random-base64-key": () => ({ value: b64(32) }),
  // kubeadm's `<id>.<secret>`: a secret half without a digit (1 in 200) is not told from a host name.
  "k8s-bootstrap-token": () => {
    for (;;) {
      const secret = draw(LOWER + DIGITS, 16);
      if (/\d/.test(secret)) return { value: `${draw(LOWER + DIGITS, 6)}.${secret}` };
    }
  },
  jwt: () => ({ value: jwt() }),
  "rsa-private-key": () => {
    const block = pem("RSA PRIVATE KEY");
    return { value: block, needles: pemNeedles(block) };
  },
  "openssh-private-key": () => {
    const block = pem("OPENSSH PRIVATE KEY");
    return { value: block, needles: pemNeedles(block) };
  },
  "url-password": () => {
    const p = token(20);
    return { value: `postgres://app:${p}@db.internal:5432/app?sslmode=require`, needles: [p] };
  },
  "git-credential-url": () => {
    const t = `glpat-${draw(ALNUM, 20)}`;
    return { value: `https://oauth2:${t}@gitlab.example.com/acme/infra.git`, needles: [t] };
  },
  "bcrypt-htpasswd": () => ({ value: `$2y$10$${draw(ALNUM + "./", 53)}` }),
  "apr1-htpasswd": () => ({ value: `$apr1$${draw(ALNUM, 8)}$${draw(ALNUM + "./", 22)}` }),
};

/** The formats every run exercises, by name. */
export const FORMATS: readonly string[] = Object.keys(MAKERS);

/** A fresh credential of `format`. */
export function credential(format: string): Credential {
  const make = MAKERS[format];
  if (make === undefined) throw new Error(`unknown format ${format}`);
  const { value, needles } = make();
  return { format, value, needles: needles ?? [value] };
}

/** Random bytes' base64 and hex for callers needing raw key material. */
export const rawKey = (): string => randomBytes(32).toString("base64");
export { HEX };
