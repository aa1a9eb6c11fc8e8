/**
 * Benign values that sit under credential-sounding names or look random but are not credentials:
 * URLs without userinfo, durations, policy names, Secret names, header names, publishable keys,
 * hostnames, digests, SHAs, UUIDs, ARNs, certificates, public keys, quantities. Fresh each run.
 */
import { randomUUID } from "node:crypto";
import { ALNUM, B64URL, digits, draw, hex, pick, tag, pem } from "./random.js";

export interface Benign {
  name: string;
  value: string;
}

const jwtPart = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

/** [name, value] makers; each run draws a fresh instance of every one. */
const MAKERS: readonly (() => Benign)[] = [
  () => ({ name: "TOKEN_ENDPOINT", value: `https://auth-${tag()}.example.com/oauth2/token` }),
  () => ({ name: "OAUTH_TOKEN_URL", value: `https://login.${tag()}.example.com/oauth/token` }),
  () => ({ name: "tokenUrl", value: `https://${tag()}.okta.com/oauth2/default/v1/token` }),
  () => ({ name: "AUTH_SERVER", value: `auth.${tag()}.internal` }),
  () => ({ name: "authHost", value: `keycloak.${tag()}.svc.cluster.local` }),
  () => ({ name: "PASSWORD_POLICY", value: pick(["strict", "relaxed", "nist-800-63b"]) + `-${tag()}` }),
  () => ({ name: "passwordPolicy", value: `complex-${tag()}` }),
  () => ({ name: "PASSWORD_MIN_LENGTH", value: String(8 + Number(digits(1))) }),
  () => ({ name: "TOKEN_TTL", value: pick(["15m", "1h", "24h", "720h", "30s", "1h30m"]) }),
  () => ({ name: "tokenRefreshInterval", value: pick(["5m", "10m", "1h"]) }),
  () => ({ name: "existingSecret", value: `${tag()}-db-credentials` }),
  () => ({
    name: "existingSecretPasswordKey",
    value: pick(["password", "postgres-password", "redis-password"]),
  }),
  () => ({ name: "secretName", value: `${tag()}-tls` }),
  () => ({ name: "SESSION_SECRET_NAME", value: `${tag()}-session` }),
  () => ({ name: "SECRET_PATH", value: `/var/run/secrets/${tag()}/token` }),
  () => ({ name: "CREDENTIALS_FILE", value: `/etc/${tag()}/credentials.json` }),
  () => ({ name: "API_KEY_HEADER", value: pick(["X-Api-Key", "X-Auth-Token", "Authorization"]) }),
  () => ({ name: "authHeader", value: pick(["X-Forwarded-User", "X-Auth-Request-Email"]) }),
  () => ({ name: "STRIPE_PUBLISHABLE_KEY", value: `pk_live_${draw(ALNUM, 99)}` }),
  () => ({ name: "stripePublicKey", value: `pk_test_${draw(ALNUM, 99)}` }),
  () => ({
    name: "MAPBOX_ACCESS_TOKEN",
    value: `pk.${jwtPart({ u: tag(), a: draw(ALNUM, 25) })}.${draw(B64URL, 22)}`,
  }),
  () => ({ name: "AUTH_ENABLED", value: pick(["true", "false"]) }),
  () => ({ name: "TOKEN_AUDIENCE", value: `api://${tag()}` }),
  () => ({ name: "AUTH_PROVIDER", value: pick(["oidc", "github", "ldap", "saml"]) }),
  () => ({ name: "SECRET_STORE", value: pick(["vault", "aws-secrets-manager", "gcp-sm"]) }),
  () => ({ name: "TOKEN_ISSUER", value: `https://${tag()}.auth0.com/` }),
  () => ({ name: "PASSWORD_RESET_URL", value: `https://app.${tag()}.com/reset` }),
  () => ({ name: "KMS_KEY_ARN", value: `arn:aws:kms:eu-west-1:${digits(12)}:key/${randomUUID()}` }),
  () => ({ name: "kmsKeyId", value: `arn:aws:kms:us-east-1:${digits(12)}:alias/${tag()}` }),
  () => ({ name: "SIGNING_KEY_ALGORITHM", value: pick(["RS256", "ES256", "HS512"]) }),
  () => ({ name: "keyAlgorithm", value: pick(["RSA", "ECDSA", "Ed25519"]) }),
  () => ({ name: "AUTH_TIMEOUT", value: pick(["10s", "30s", "2m"]) }),
  () => ({ name: "TOKEN_SCOPES", value: pick(["repo,read:org", "openid profile email", "read:packages"]) }),
  () => ({ name: "DB_PASSWORD_FILE", value: `/run/secrets/${tag()}` }),
  () => ({ name: "SECRET_KEY_REF", value: `${tag()}/api-key` }),
  () => ({ name: "apiKeySecret", value: `${tag()}-api-key` }),
  () => ({ name: "credentialsSecret", value: `${tag()}-cloud-credentials` }),
  () => ({ name: "SECRET_VERSION", value: pick(["latest", "3", "v2"]) }),
  () => ({ name: "AUTH_MODE", value: pick(["token", "password", "none"]) }),
  () => ({ name: "PASSWORD_HASH_ALGORITHM", value: pick(["bcrypt", "argon2id", "scrypt"]) }),
  () => ({ name: "KEY_ROTATION_PERIOD", value: pick(["90d", "2160h"]) }),
  () => ({
    name: "ssh_public_key",
    value: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${draw(ALNUM, 43)} ${tag()}@acme`,
  }),
  () => ({ name: "ca.crt", value: pem("CERTIFICATE", 8) }),
  () => ({ name: "image", value: `ghcr.io/acme/${tag()}@sha256:${hex(64)}` }),
  () => ({ name: "revision", value: hex(40) }),
  () => ({ name: "checksum/config", value: hex(64) }),
  () => ({ name: "uid", value: randomUUID() }),
  () => ({ name: "tenantId", value: randomUUID() }),
  () => ({ name: "roleArn", value: `arn:aws:iam::${digits(12)}:role/${tag()}-deployer` }),
  () => ({ name: "memory", value: pick(["512Mi", "2Gi", "1500m", "64M"]) }),
  () => ({ name: "email", value: `${tag()}@example.com` }),
  () => ({ name: "serviceAccountName", value: `${tag()}-sa` }),
  () => ({ name: "storageClassName", value: pick(["gp3", "premium-rwo", "standard"]) }),
  () => ({
    name: "googleClientId",
    value: `${digits(12)}-${draw("abcdefghijklmnopqrstuv0123456789", 32)}.apps.googleusercontent.com`,
  }),
  () => ({ name: "pod-template-hash", value: draw("bcdfghjklmnpqrstvwxz2456789", 10) }),
  () => ({ name: "version", value: `v${digits(1)}.${digits(2)}.${digits(1)}` }),
  () => ({ name: "host", value: `${tag()}.${pick(["example.com", "acme.io", "internal"])}` }),
  () => ({ name: "logFormat", value: "json" }),
  () => ({
    name: "publicKey",
    value: `-----BEGIN PUBLIC KEY-----\n${draw(ALNUM, 64)}\n-----END PUBLIC KEY-----\n`,
  }),
];

export function benignSet(): Benign[] {
  return MAKERS.map((make) => make());
}
