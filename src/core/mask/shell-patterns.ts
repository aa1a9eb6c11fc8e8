/**
 * Secrets in command lines: `--api-key VALUE` (a flag whose name says so), and the short flags of
 * tools that take a password or token on the command line (`docker login -p`, `mysql -pPW`,
 * `redis-cli -a`, `sshpass -p`, `vault login TOKEN`, `curl -u user:PW`). Also used on `command`/`args`
 * lists of containers. Each command line is read once, up to its end (bounded).
 */
import { MASKED, RangeMemo, SENSITIVITY } from "./config-memo.js";
import type { Sensitivity } from "./sensitive-names.js";
import { type Scanner, type SpanSink, detector } from "./span.js";
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

/** Word bounds of the command being read (at most one word per character of MAX_COMMAND). */
const WORD_START = new Int32Array(MAX_COMMAND + 1);
const WORD_END = new Int32Array(MAX_COMMAND + 1);

/** Spans of secrets in `words` (the words of one command, tool first); `text` holds them. */
export function secretWords(text: string, words: readonly Word[], out: SpanSink): void {
  const starts = new Int32Array(words.length);
  const ends = new Int32Array(words.length);
  words.forEach((w, i) => {
    starts[i] = w.start;
    ends[i] = w.end;
  });
  secretWordsAt(text, starts, ends, words.length, out);
}

/** secretWords over word bounds held in arrays (the detector reads commands without allocating). */
function secretWordsAt(
  text: string,
  starts: Int32Array,
  ends: Int32Array,
  count: number,
  out: SpanSink,
): void {
  const tool = count === 0 ? undefined : TOOLS[baseName(text.slice(starts[0], ends[0]))];
  const after = tool?.positionalAfter;
  let positional = false;
  for (let i = 0; i < count; i++) {
    const start = starts[i] as number;
    const end = ends[i] as number;
    const dash = text.charCodeAt(start) === 45 && end > start;
    if (after !== undefined && end - start === after.length && text.startsWith(after, start)) {
      positional = true;
      continue;
    }
    if (positional && !dash) {
      out.add(start, end, "shell-secret");
      positional = false;
      continue;
    }
    // Every other rule reads a flag: a word starting with `-` (compared in place, never sliced).
    if (!dash) continue;
    const length = end - start;
    if (tool?.attached !== undefined && isAttached(text, start, length, tool.attached)) {
      out.add(start + 2, end, "shell-secret");
      continue;
    }
    if (i + 1 >= count) continue;
    const nextStart = starts[i + 1] as number;
    const nextEnd = ends[i + 1] as number;
    if (tool?.separate !== undefined && isOneOf(text, start, end, tool.separate)) {
      out.add(nextStart, nextEnd, "shell-secret");
      i++;
      continue;
    }
    if (tool?.userColon !== undefined && isOneOf(text, start, end, tool.userColon)) {
      const colon = text.indexOf(":", nextStart);
      if (colon >= 0 && colon < nextEnd - 1) out.add(colon + 1, nextEnd, "shell-secret");
      i++;
      continue;
    }
    // Any long flag whose name says secret: `--anthropic-key VALUE`, `--db-password VALUE`.
    if (length <= 64 && !hasEquals(text, start, end)) {
      let nameStart = start;
      while (nameStart < end && text.charCodeAt(nameStart) === 45) nameStart++;
      if (nameStart === end || text.charCodeAt(nextStart) === 45) continue;
      const sensitivity = SENSITIVITY.get(text, nameStart, end);
      if (sensitivity !== "none" && judged(text, nextStart, nextEnd, sensitivity)) {
        out.add(nextStart, nextEnd, "shell-secret");
        i++;
      }
    }
  }
}

/** Whether the word starts with one of `flags` and holds more (`-pSECRET`), not `--…`. */
function isAttached(text: string, start: number, length: number, flags: readonly string[]): boolean {
  if (text.charCodeAt(start + 1) === 45) return false;
  for (const f of flags) if (length > f.length && text.startsWith(f, start)) return true;
  return false;
}

/** Whether `text[start, end)` is one of `flags`. */
function isOneOf(text: string, start: number, end: number, flags: readonly string[]): boolean {
  for (const f of flags) if (f.length === end - start && text.startsWith(f, start)) return true;
  return false;
}

function hasEquals(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 61) return true;
  return false;
}

/** judge(name, value) for a name of `sensitivity` !== "none", cached by the value's range. */
function judged(text: string, start: number, end: number, sensitivity: Sensitivity): boolean {
  return sensitivity !== "none" && MASKED[sensitivity].get(text, start, end);
}

function baseName(word: string): string {
  return word.slice(word.lastIndexOf("/") + 1);
}

function endsCommand(c: number): boolean {
  return c === 10 || c === 13 || c === 59 || c === 38 || c === 124; // newline ; & |
}

/** The words of a command from `from` to the end of the command (quotes stripped from each word). */
export function commandWords(text: string, from: number): Word[] {
  const count = commandWordsAt(text, from);
  const words: Word[] = [];
  for (let i = 0; i < count; i++) words.push({ start: WORD_START[i] as number, end: WORD_END[i] as number });
  return words;
}

/** commandWords into WORD_START / WORD_END; returns how many. */
function commandWordsAt(text: string, from: number): number {
  let count = 0;
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
      const close = text.indexOf(c === 34 ? '"' : "'", i + 1);
      const end = close < 0 || close > limit ? limit : close;
      WORD_START[count] = i + 1;
      WORD_END[count++] = end;
      i = end + 1;
      continue;
    }
    const start = i;
    while (i < limit) {
      const d = text.charCodeAt(i);
      if (isSpace(d) || endsCommand(d) || d === 34 || d === 39) break;
      i++;
    }
    WORD_START[count] = start;
    WORD_END[count++] = i;
  }
  return count;
}

/*
 * Tool invocations are found from two native searches that leapfrog each other (linear, no
 * backtracking: literal alternatives, then a look-behind or look-ahead of one character class):
 * - TOOL: a tool's name as a whole word followed by a blank (the look-behind runs after the literal);
 * - FLAG_OR_LOGIN: a word starting with `-` and another character, or `login`, after a blank or a
 *   quote (every secret a tool rule finds is a flag's, an attached flag's or the word after `login`).
 * A tool is read only when such a word lies within its command's reach (MAX_COMMAND characters),
 * and a word only when a tool lies before it within that reach: text without a tool or without a
 * flag costs one native search.
 */
const TOOL_NAMES = Object.keys(TOOLS)
  .sort((a, b) => b.length - a.length)
  .join("|");
const TOOL = new RegExp(`(?:${TOOL_NAMES})(?<=(?:^|[^\\w-])(?:${TOOL_NAMES}))(?=[ \\t\\n\\r\\v\\f]|$)`, "g");
const FLAG_OR_LOGIN = /[\s"'](?:-[^\s"';&|]|login(?=[\s"';&|]|$))/g;

/** Tool invocations and secret-named flags anywhere in free text. */
export const scanShellSecrets: Scanner = (text, out) => {
  toolCommands(text, out);
  detectSecretFlags(text, out);
};
export const detectShellSecrets = detector(scanShellSecrets);

/** The tool named by a word, by range. */
const TOOL_NAME = new RangeMemo((word) => (TOOLS[word] === undefined ? "" : word));

/** The next tool invocation from `from`: its start (its name and end in `found`), or -1. */
function nextTool(text: string, from: number, found: { end: number; name: string }): number {
  if (from >= text.length) return -1;
  TOOL.lastIndex = from;
  if (!TOOL.test(text)) return -1;
  const end = TOOL.lastIndex;
  let start = end - 1;
  while (start > 0 && isToolWordChar(text.charCodeAt(start - 1))) start--;
  found.end = end;
  found.name = TOOL_NAME.get(text, start, end);
  return start;
}

function isToolWordChar(c: number): boolean {
  return isAlnum(c) || c === 45 || c === 95;
}

/** The start of the next flag word or `login` from `from`, or -1. */
function nextFlag(text: string, from: number): number {
  if (from >= text.length) return -1;
  // The regex reads the blank or quote before the word: the text's first word is looked at here.
  if (from === 0 && /^(?:-[^\s"';&|]|login(?:[\s"';&|]|$))/.test(text)) return 0;
  FLAG_OR_LOGIN.lastIndex = from === 0 ? 0 : from - 1;
  if (!FLAG_OR_LOGIN.test(text)) return -1;
  const end = FLAG_OR_LOGIN.lastIndex;
  return text.charCodeAt(end - 2) === 45 ? end - 2 : end - 5;
}

function toolCommands(text: string, out: SpanSink): void {
  const found = { end: 0, name: "" };
  // Per tool, where its last command read ends: an invocation inside it was read with it.
  const readUntil = new Map<string, number>();
  /** The next invocation from `from` not inside a command of the same tool already read. */
  const nextOpen = (from: number): number => {
    for (;;) {
      const at = nextTool(text, from, found);
      if (at < 0 || at >= (readUntil.get(found.name) ?? 0)) return at;
      from = found.end;
    }
  };
  let flag = nextFlag(text, 0);
  let tool = flag < 0 ? -1 : nextOpen(Math.max(0, flag - MAX_COMMAND + 1));
  while (flag >= 0 && tool >= 0) {
    if (flag >= tool + MAX_COMMAND) {
      // This tool's command cannot reach the flag (nor any later one): skip to tools that can.
      tool = nextOpen(Math.max(found.end, flag - MAX_COMMAND + 1));
    } else if (flag < tool) {
      // No unread tool before this flag can reach it: the next flag after the tool.
      flag = nextFlag(text, tool);
    } else {
      const name = found.name;
      const count = commandWordsAt(text, tool);
      secretWordsAt(text, WORD_START, WORD_END, count, out);
      readUntil.set(name, Math.max(tool + name.length, count === 0 ? 0 : (WORD_END[count - 1] as number)));
      tool = nextOpen(found.end);
    }
  }
}

/**
 * `--name VALUE` where the flag's name says the value is a secret, anywhere in text. One native
 * search (linear: a literal, a bounded class, a one-character look-around) finds `--name ` after a
 * blank or a quote and not followed by what cannot start a value (a blank, `-`, the end of a command).
 */
const SECRET_FLAG = /--(?<=(?:^|[ \t\n\r\v\f"'])--)[A-Za-z0-9_-]{1,62} (?![ \t\n\r\v\f;&|-])/g;

function detectSecretFlags(text: string, out: SpanSink): void {
  SECRET_FLAG.lastIndex = 0;
  while (SECRET_FLAG.test(text)) {
    const end = SECRET_FLAG.lastIndex - 1;
    let at = end - 1;
    while (at > 0 && isFlagChar(text.charCodeAt(at - 1))) at--;
    const sensitivity = SENSITIVITY.get(text, at + 2, end);
    if (sensitivity === "none") continue;
    const value = firstWord(text, end + 1);
    if (value === undefined || text.charCodeAt(value.start) === 45) continue;
    if (judged(text, value.start, value.end, sensitivity)) {
      out.add(value.start, value.end, "shell-secret");
      SECRET_FLAG.lastIndex = Math.max(SECRET_FLAG.lastIndex, value.end);
    }
  }
}

function isFlagChar(c: number): boolean {
  return isAlnum(c) || c === 45 || c === 95;
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
