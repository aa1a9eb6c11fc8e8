/**
 * Secrets in command lines: `--api-key VALUE` (a flag whose name says so), and the short flags of
 * tools that take a password or token on the command line (`docker login -p`, `mysql -pPW`,
 * `redis-cli -a`, `sshpass -p`, `vault login TOKEN`, `curl -u user:PW`). Also used on `command`/`args`
 * lists of containers. Each command line is read once, up to its end (bounded).
 */
import { judge } from "./value-judge.js";
import { nameSensitivity } from "./sensitive-names.js";
import type { Detector, Span } from "./span.js";
import { isAlnum, isSpace } from "./span.js";

/** Per tool: flags followed by a secret, flags with the secret attached, secret positional after a subcommand. */
interface ToolRule {
  separate?: readonly string[];
  attached?: readonly string[];
  /** `vault login TOKEN`: the first positional argument after this subcommand. */
  positionalAfter?: string;
  /** `curl -u user:PW`: the part after the first colon of this flag's value. */
  userColon?: readonly string[];
}

const LOGIN = { separate: ["-p", "--password"], userColon: ["--creds", "--src-creds", "--dest-creds"] };
const MONGO = { separate: ["-p", "--password"] };
const LDAP = { separate: ["-w"] };
const TOOLS: Record<string, ToolRule> = {
  docker: LOGIN,
  podman: LOGIN,
  nerdctl: LOGIN,
  buildah: LOGIN,
  helm: LOGIN,
  oras: LOGIN,
  crane: LOGIN,
  skopeo: LOGIN,
  regctl: LOGIN,
  mysql: { attached: ["-p"] },
  mysqldump: { attached: ["-p"] },
  mysqladmin: { attached: ["-p"] },
  mysqlimport: { attached: ["-p"] },
  mariadb: { attached: ["-p"] },
  "mariadb-dump": { attached: ["-p"] },
  "redis-cli": { separate: ["-a", "--pass"] },
  sshpass: { separate: ["-p"] },
  vault: { positionalAfter: "login" },
  curl: { userColon: ["-u", "--user", "--proxy-user", "-U"] },
  wget: { separate: ["--password", "--http-password", "--ftp-password"] },
  mongo: MONGO,
  mongosh: MONGO,
  mongodump: MONGO,
  mongorestore: MONGO,
  mongoexport: MONGO,
  ldapsearch: LDAP,
  ldapadd: LDAP,
  ldapmodify: LDAP,
  ldapdelete: LDAP,
  ldapwhoami: LDAP,
  sqlcmd: { separate: ["-P"] },
  bcp: { separate: ["-P"] },
  az: { separate: ["-p", "--password"] },
  influx: { separate: ["-t", "--token", "-p", "--password"] },
  smbclient: { userColon: ["-U"] },
};

export interface Word {
  start: number;
  end: number;
}

/** Longest command line read after a tool's name. */
const MAX_COMMAND = 2048;

/** Spans of secrets in `words` (the words of one command, tool first); `text` holds them. */
export function secretWords(text: string, words: readonly Word[], out: Span[]): void {
  const first = words[0];
  const tool = first === undefined ? undefined : TOOLS[baseName(text.slice(first.start, first.end))];
  let positional = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as Word;
    const word = text.slice(w.start, w.end);
    const next = words[i + 1];
    if (tool?.positionalAfter !== undefined && word === tool.positionalAfter) {
      positional = true;
      continue;
    }
    if (positional && !word.startsWith("-")) {
      out.push({ start: w.start, end: w.end, kind: "shell-secret" });
      positional = false;
      continue;
    }
    if (tool?.attached?.some((f) => word.startsWith(f) && word.length > f.length && !word.startsWith("--"))) {
      out.push({ start: w.start + 2, end: w.end, kind: "shell-secret" });
      continue;
    }
    if (next === undefined) continue;
    if (tool?.separate?.includes(word)) {
      out.push({ start: next.start, end: next.end, kind: "shell-secret" });
      i++;
      continue;
    }
    if (tool?.userColon?.includes(word)) {
      const colon = text.indexOf(":", next.start);
      if (colon >= 0 && colon < next.end - 1)
        out.push({ start: colon + 1, end: next.end, kind: "shell-secret" });
      i++;
      continue;
    }
    // Any long flag whose name says secret: `--anthropic-key VALUE`, `--db-password VALUE`.
    if (word.startsWith("-") && !word.includes("=") && word.length <= 64) {
      const name = word.replace(/^-+/, "");
      const value = text.slice(next.start, next.end);
      if (name !== "" && !value.startsWith("-") && judge(name, value, nameSensitivity(name)) === "mask") {
        out.push({ start: next.start, end: next.end, kind: "shell-secret" });
        i++;
      }
    }
  }
}

function baseName(word: string): string {
  return word.slice(word.lastIndexOf("/") + 1);
}

function endsCommand(c: number): boolean {
  return c === 10 || c === 13 || c === 59 || c === 38 || c === 124; // newline ; & |
}

/** The words of a command from `from` to the end of the command (quotes stripped from each word). */
export function commandWords(text: string, from: number): Word[] {
  const words: Word[] = [];
  const limit = Math.min(text.length, from + MAX_COMMAND);
  let i = from;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (endsCommand(c)) break;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 34 || c === 39) {
      const close = text.indexOf(String.fromCharCode(c), i + 1);
      const end = close < 0 || close > limit ? limit : close;
      words.push({ start: i + 1, end });
      i = end + 1;
      continue;
    }
    const start = i;
    while (i < limit && !isSpace(text.charCodeAt(i)) && !endsCommand(text.charCodeAt(i))) {
      if (text.charCodeAt(i) === 34 || text.charCodeAt(i) === 39) break;
      i++;
    }
    words.push({ start, end: i });
  }
  return words;
}

/** Tool invocations and secret-named flags anywhere in free text. */
export const detectShellSecrets: Detector = (text) => {
  const out: Span[] = [];
  for (const tool of Object.keys(TOOLS)) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(tool, from);
      if (at < 0) break;
      from = at + tool.length;
      const before = at > 0 ? text.charCodeAt(at - 1) : 32;
      const after = text.charCodeAt(at + tool.length);
      if (isAlnum(before) || before === 45 || before === 95 || !(isSpace(after) || Number.isNaN(after)))
        continue;
      const words = commandWords(text, at);
      secretWords(text, words, out);
      const last = words[words.length - 1];
      if (last !== undefined) from = Math.max(from, last.end);
    }
  }
  detectSecretFlags(text, out);
  return out;
};

/** `--name VALUE` where the flag's name says the value is a secret, anywhere in text. */
function detectSecretFlags(text: string, out: Span[]): void {
  let from = 0;
  for (;;) {
    const at = text.indexOf("--", from);
    if (at < 0) break;
    from = at + 2;
    if (
      at > 0 &&
      !isSpace(text.charCodeAt(at - 1)) &&
      text.charCodeAt(at - 1) !== 34 &&
      text.charCodeAt(at - 1) !== 39
    )
      continue;
    let end = at + 2;
    while (
      end < text.length &&
      end - at < 64 &&
      (isAlnum(text.charCodeAt(end)) || text.charCodeAt(end) === 45 || text.charCodeAt(end) === 95)
    )
      end++;
    if (text.charCodeAt(end) !== 32) continue;
    const name = text.slice(at + 2, end);
    const sensitivity = nameSensitivity(name);
    if (sensitivity === "none") continue;
    const value = firstWord(text, end + 1);
    if (value === undefined) continue;
    const v = text.slice(value.start, value.end);
    if (!v.startsWith("-") && judge(name, v, sensitivity) === "mask") {
      out.push({ start: value.start, end: value.end, kind: "shell-secret" });
      from = value.end;
    }
  }
}

/** The one word (maybe quoted) starting at `at`, bounded. */
export function firstWord(text: string, at: number): Word | undefined {
  const q = text.charCodeAt(at);
  if (q === 34 || q === 39) {
    const close = text.indexOf(String.fromCharCode(q), at + 1);
    if (close < 0 || close - at > MAX_COMMAND) return undefined;
    return { start: at + 1, end: close };
  }
  let end = at;
  while (
    end < text.length &&
    end - at < MAX_COMMAND &&
    !isSpace(text.charCodeAt(end)) &&
    !endsCommand(text.charCodeAt(end))
  )
    end++;
  return end > at ? { start: at, end } : undefined;
}
