/**
 * Credential formats recognisable by a literal prefix: the vendor's documented prefix, then a body
 * of a known alphabet and minimum length. Drawn from the formats the established secret scanners
 * cover (gitleaks, secretlint's recommended preset, GitHub secret scanning partners). Matching is
 * one linear pass (./token-scanner.ts); this file is data only.
 *
 * Body alphabets: A alphanumerics, W + `_`, D + `_-` (base64url), B base64 (`+/=`), H hex,
 * U upper-case and digits, L lower-case and digits, T + `_-.` (dotted tokens), S + `$`.
 */

export type Alphabet = "A" | "W" | "D" | "B" | "H" | "U" | "L" | "T" | "S";

export interface TokenRule {
  /** Format name, as listed in docs/masking.md. */
  id: string;
  prefix: string;
  body: Alphabet;
  /** Shortest body accepted. */
  min: number;
  /** Longest body accepted (formats of exact length); none when open-ended. */
  max?: number;
  /** The prefix is short or word-like: also require a random-looking body. */
  random?: boolean;
  /**
   * With `random`, of exact length: a body holding upper case, lower case and digits is taken as
   * random even where looksRandom doubts it (a random body of few capitals and digits, 1 in 2,500).
   */
  mixed?: boolean;
}

type Row = [
  id: string,
  prefixes: string,
  body: Alphabet,
  min: number,
  max?: number,
  random?: boolean,
  mixed?: boolean,
];

/** [format, space-separated prefixes, alphabet, min, max, random]. */
const ROWS: readonly Row[] = [
  ["AWS access key id", "AKIA ASIA ABIA ACCA AGPA AIDA AIPA ANPA ANVA AROA APKA ASCA A3T", "U", 16, 16],
  ["GitHub token (classic, OAuth, user, server, refresh)", "ghp_ gho_ ghu_ ghs_ ghr_", "W", 30],
  ["GitHub fine-grained PAT", "github_pat_", "W", 22],
  [
    "GitLab tokens",
    "glpat- glrt- gldt- glsoat- glffct- glcbt- glimt- glagent- gloas- glft- glwt- gltst-",
    "D",
    20,
  ],
  ["GitLab pipeline trigger token", "glptt-", "H", 40],
  ["GitLab runner registration token", "GR1348941", "D", 20],
  ["Slack tokens", "xoxb- xoxp- xoxa- xoxr- xoxs- xoxo- xoxe- xapp-", "D", 10],
  ["Slack refresh/config tokens", "xoxe.xoxp- xoxe.xoxb-", "D", 10],
  ["Stripe secret and restricted keys", "sk_live_ sk_test_ rk_live_ rk_test_", "A", 20],
  ["Stripe webhook signing secret", "whsec_", "A", 24],
  ["Mapbox secret and temporary tokens", "sk.eyJ tk.eyJ", "T", 60],
  ["age secret key", "AGE-SECRET-KEY-1", "U", 58],
  ["age plugin secret key", "AGE-PLUGIN-", "T", 40],
  ["Docker Hub PAT and organisation token", "dckr_pat_ dckr_oat_", "D", 24],
  ["HashiCorp Vault service/recovery token", "hvs. hvr.", "D", 24],
  ["HashiCorp Vault batch token", "hvb.", "D", 100],
  ["HashiCorp Vault legacy token", "s.", "A", 24, 24, true, true],
  ["npm access token", "npm_", "A", 36],
  ["PyPI upload token", "pypi-AgEIcHlwaS5vcmc pypi-AgENdGVzdC5weXBpLm9yZw", "D", 50],
  ["OpenAI project/service/admin keys", "sk-proj- sk-svcacct- sk-admin- sk-None-", "D", 40],
  ["Anthropic API/admin keys", "sk-ant-api03- sk-ant-admin01- sk-ant-oat01-", "D", 80],
  ["OpenAI legacy, DeepSeek, Langfuse and other sk- keys", "sk-", "D", 32, undefined, true],
  ["Google API key", "AIza", "D", 35, 35],
  ["Google OAuth client secret", "GOCSPX-", "D", 28],
  ["Google OAuth access token", "ya29.", "D", 30],
  ["Google OAuth refresh token", "1//", "D", 30],
  ["SendGrid API key", "SG.", "T", 60],
  ["Twilio API key", "SK", "H", 32, 32],
  ["Mailgun API key", "key-", "H", 32, 32],
  ["Shopify tokens", "shpat_ shpca_ shppa_ shpss_", "H", 32],
  ["Hugging Face tokens", "hf_ api_org_", "A", 30],
  ["Databricks token", "dapi dkea", "H", 32],
  ["DigitalOcean tokens", "dop_v1_ doo_v1_ dor_v1_", "H", 64],
  ["Linear API key", "lin_api_", "A", 40],
  ["Linear OAuth token", "lin_oauth_", "H", 64],
  ["Notion integration token", "ntn_", "A", 40],
  ["Notion legacy integration secret", "secret_", "A", 43, 43, true],
  ["Grafana service account token", "glsa_", "W", 32],
  ["Grafana Cloud token", "glc_", "B", 32],
  ["Grafana API key", "eyJrIjoi", "B", 60],
  ["Doppler tokens", "dp.pt. dp.st. dp.sa. dp.ct. dp.scim. dp.audit.", "T", 40],
  ["Pulumi access token", "pul-", "H", 40],
  ["New Relic user/ingest/browser keys", "NRAK- NRII- NRJS- NRAA- NRRA- NRIQ-", "D", 19],
  ["Atlassian API token", "ATATT3 ATCTT3 ATOA", "D", 60],
  ["Bitbucket app password", "ATBB", "A", 32],
  ["JFrog API key", "AKCp", "A", 60],
  ["JFrog identity token", "cmVmdGtu", "A", 56],
  ["Square access token and secret", "sq0atp- sq0csp- sq0idp-", "D", 22],
  ["Square/Facebook access token", "EAAA EAACEdEose0cBA", "D", 60],
  ["Braintree access token", "access_token$production$ access_token$sandbox$", "S", 40],
  ["Postman API key", "PMAK-", "D", 59],
  ["RubyGems API key", "rubygems_", "H", 48],
  ["PlanetScale tokens and passwords", "pscale_tkn_ pscale_pw_ pscale_oauth_", "T", 32],
  ["Supabase tokens", "sbp_ sbp_oauth_", "H", 40],
  ["Supabase secret key", "sb_secret_", "D", 20],
  ["Tailscale keys", "tskey-", "D", 30],
  ["Alibaba Cloud AccessKey id", "LTAI", "A", 12],
  ["Tencent Cloud SecretId", "AKID", "A", 32],
  ["Contentful PAT", "CFPAT-", "D", 43],
  ["Netlify tokens", "nfp_ nfc_ nfo_", "A", 36],
  ["Groq API key", "gsk_", "A", 52],
  ["Dynatrace token", "dt0c01. dt0s01. dt0s16.", "T", 80],
  ["Sourcegraph token", "sgp_", "W", 40],
  ["Replicate API token", "r8_", "A", 37],
  ["Airtable PAT", "pat", "T", 78, undefined, true],
  ["Brevo (Sendinblue) keys", "xkeysib- xsmtpsib-", "D", 80],
  ["Buildkite tokens", "bkua_ bkca_", "H", 40],
  ["1Password service account token", "ops_eyJ", "B", 100],
  ["1Password secret key", "A3-", "D", 30],
  ["Cloudflare tokens", "cfk_ cfut_ cfat_", "A", 48],
  ["Cloudflare origin CA key", "v1.0-", "T", 150],
  ["Fly.io tokens", "fo1_ fm1r_ fm2_", "B", 40],
  ["Frame.io token", "fio-u-", "D", 64],
  ["Duffel tokens", "duffel_live_ duffel_test_", "D", 43],
  ["EasyPost keys", "EZAK EZTK", "A", 54],
  ["Flutterwave secret keys", "FLWSECK- FLWSECK_TEST-", "T", 32],
  ["Harness PAT and SAT", "pat. sat.", "T", 60],
  ["Octopus Deploy API key", "API-", "U", 26, undefined, true],
  ["Prefect API key", "pnu_", "A", 36],
  ["ReadMe API key", "rdme_", "A", 70],
  ["Scalingo token", "tk-us-", "D", 48],
  ["Shippo tokens", "shippo_live_ shippo_test_", "H", 40],
  ["Typeform PAT", "tfp_", "T", 50],
  ["Twitter/X bearer token", "AAAAAAAAAAAAAAAAAAAAA", "B", 50],
  ["Adafruit IO key", "aio_", "A", 28],
  ["Figma PAT", "figd_ figu_", "D", 40],
  ["Clojars token", "CLOJARS_", "A", 60],
  ["Dropbox access token", "sl.", "T", 100],
  ["Heroku API key (new format)", "HRKU-", "D", 60],
  ["42 intra client secret", "s-s4t2ud- s-s4t2af-", "H", 64],
  ["NuGet API key", "oy2", "L", 43, 43],
  ["OpenShift OAuth token", "sha256~", "D", 43],
  ["Perplexity API key", "pplx-", "A", 48],
  ["xAI API key", "xai-", "A", 80],
  ["Pinecone API key", "pcsk_", "W", 60],
  ["LangSmith keys", "lsv2_pt_ lsv2_sk_", "W", 40],
  ["Vercel tokens", "vcp_ vci_ vca_ vcr_ vck_", "A", 24],
  ["Render API key", "rnd_", "A", 32],
  ["Sentry tokens", "sntrys_ sntryu_", "B", 60],
  ["LaunchDarkly SDK key", "sdk-", "T", 36, undefined, true],
  ["Plaid access token", "access-production- access-development-", "T", 36],
  ["Yandex API key and OAuth token", "AQVN y0_ t1.", "D", 35],
  ["Infracost API key", "ico-", "A", 32],
  ["Honeycomb keys", "hcaik_ hcxik_ hcxlk_ hcamk_", "W", 20],
  ["Neon API key", "napi_", "A", 64],
  ["Private Packagist tokens", "packagist_uut_ packagist_ort_ packagist_out_", "H", 60],
  ["Fireworks API key", "fw_", "A", 24],
  ["Codecov/Cody tokens", "sgs_", "W", 40],
  ["Mailchimp Transactional (Mandrill) key", "md-", "D", 22, 22, true],
  ["Lob API key", "live_ test_", "D", 30, undefined, true],
  ["Discord bot token", "MT MTA MTE MTI MTM MTQ", "T", 50, undefined, true],
  ["Confluent Cloud API secret", "cflt", "D", 60],
  ["Firebase Cloud Messaging server key", "AAAA", "D", 140],
  ["GoCardless access token", "live_", "D", 40, undefined, true],
  ["Azure DevOps PAT (2024 format)", "AZDO", "A", 48, undefined, true],
  ["Alchemy/Infura/QuickNode keys in URLs", "v2/", "D", 32, 32, true],
  ["Algolia admin key prefix", "algolia_", "A", 32],
  ["Mux tokens", "mux_", "A", 40],
  ["Zuplo API key", "zpka_", "W", 32],
  ["Resend API key", "re_", "W", 30, undefined, true],
  ["Loops/Novu/Knock secret keys", "sk_prod_ sk_live_ sk_dev_", "D", 24],
  ["Clerk/Unkey secret keys", "sk_live_ unkey_", "A", 24],
  ["Salesforce access token", "00D", "T", 100, undefined, true],
  ["Okta API token", "00", "D", 40, 40, true],
];

/** Every prefix rule, one per prefix. */
export const TOKEN_RULES: readonly TokenRule[] = ROWS.flatMap(
  ([id, prefixes, body, min, max, random, mixed]) =>
    prefixes.split(" ").map((prefix) => ({
      id,
      prefix,
      body,
      min,
      ...(max === undefined ? {} : { max }),
      ...(random ? { random } : {}),
      ...(mixed ? { mixed } : {}),
    })),
);

/** The distinct formats of the table (for docs and the bench). */
export const TOKEN_FORMATS: readonly string[] = [...new Set(ROWS.map((r) => r[0]))];
