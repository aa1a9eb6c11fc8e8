/** A region of text a detector wants masked: `[start, end)` in UTF-16 code units. */
export interface Span {
  start: number;
  end: number;
  /** Which detector found it (for tests and docs; not rendered). */
  kind: DetectorKind;
}

export type DetectorKind =
  | "private-key"
  | "aws-access-key-id"
  | "github-token"
  | "slack-token"
  | "jwt"
  | "url-password"
  | "bearer-token"
  | "sensitive-pair"
  | "sensitive-env"
  | "known-token"
  | "webhook-url"
  | "url-query-secret"
  | "password-hash"
  | "infix-token"
  | "config-directive"
  | "shell-secret"
  | "quoted-pair"
  | "markup-secret"
  | "encoded-secret"
  | "high-entropy"
  | "quoted-rejected-value"
  | "bootstrap-token";

/**
 * Where detectors put what they find: start and end offsets in typed arrays, not a `Span` object
 * per find (hostile text yields hundreds of thousands, and their garbage cost more than finding
 * them). Offsets are UTF-16 indexes, below 2³¹. Kinds are kept only when asked for (tests).
 */
export class SpanSink {
  starts: Int32Array;
  ends: Int32Array;
  count = 0;
  private readonly kinds: DetectorKind[] | undefined;

  constructor(keepKinds = false, capacity = 64) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.kinds = keepKinds ? [] : undefined;
  }

  /** Adds `[start, end)`; an empty span hides nothing and is dropped. */
  add(start: number, end: number, kind: DetectorKind): void {
    if (end <= start) return;
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
    if (this.kinds !== undefined) this.kinds.push(kind);
  }

  /** What was added, as spans (kinds are `"high-entropy"` unless the sink keeps them). */
  spans(): Span[] {
    const spans: Span[] = [];
    for (let i = 0; i < this.count; i++) {
      const kind = this.kinds?.[i] ?? "high-entropy";
      spans.push({ start: this.starts[i] as number, end: this.ends[i] as number, kind });
    }
    return spans;
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}

/** A detector scans text once (linear time, no backtracking) and adds spans to `out`, in any order. */
export type Scanner = (text: string, out: SpanSink) => void;

/** A detector as a function returning its spans (what tests and the docs' examples use). */
export type Detector = (text: string) => Span[];

/** The Detector form of a scanner. */
export function detector(scan: Scanner): Detector {
  return (text) => {
    const out = new SpanSink(true);
    scan(text, out);
    return out.spans();
  };
}

export function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isUpperOrDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}
