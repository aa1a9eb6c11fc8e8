/**
 * Where a JSON text first goes wrong, as a character offset (-1 when it is valid). JSON.parse's
 * messages differ between Node versions (Node 22+ often gives no position, and quotes the text),
 * so the position is found here instead: a linear, iterative scan (no recursion on hostile input).
 */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

export function jsonErrorOffset(text: string): number {
  const stack: string[] = [];
  let i = 0;
  let state: "value" | "key" | "after" = "value";
  const ws = (): void => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r"))
      i++;
  };
  /** Scans a string starting at text[i] === '"'; returns false at the offending character. */
  const string = (): boolean => {
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && ESCAPES.has(e)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  for (;;) {
    ws();
    if (state === "value") {
      const c = text[i];
      if (c === "{" || c === "[") {
        stack.push(c);
        i++;
        ws();
        if (text[i] === (c === "{" ? "}" : "]")) {
          stack.pop();
          i++;
          state = "after";
        } else state = c === "{" ? "key" : "value";
      } else if (c === '"') {
        if (!string()) return i;
        state = "after";
      } else if (text.startsWith("true", i) || text.startsWith("null", i)) {
        i += 4;
        state = "after";
      } else if (text.startsWith("false", i)) {
        i += 5;
        state = "after";
      } else {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(text)) return i;
        i = NUMBER.lastIndex;
        state = "after";
      }
    } else if (state === "key") {
      if (text[i] !== '"' || !string()) return i;
      ws();
      if (text[i] !== ":") return i;
      i++;
      state = "value";
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return i === text.length ? -1 : i;
      const c = text[i];
      if (c === ",") {
        i++;
        state = top === "{" ? "key" : "value";
      } else if ((top === "{" && c === "}") || (top === "[" && c === "]")) {
        stack.pop();
        i++;
      } else return i;
    }
  }
}
