/**
 * The domain model shared by every part of countersign: manifests, change sets,
 * risk classification, plans and approval. Plain data only; no behaviour, no I/O.
 * See docs/architecture.md ("The approval protocol: approval binds to content, not to a commit").
 */

/** A Kubernetes object as parsed from YAML/JSON (apiVersion, kind, metadata, ...). */
export type KubeObject = Record<string, unknown>;

/** Risk levels in ascending order. */
export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export type Operation = "create" | "update" | "delete";

/** Where an object (or an error) came from: a path relative to the manifest root, 1-based line/column. */
export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
  /** 0-based index of the YAML document in the file (JSON files: 0). */
  document?: number;
}

/** One Kubernetes object of a manifest set, with its identity and content digest. */
export interface ManifestObject {
  /** `group/kind/namespace/name`; the core group is the empty string, as is the namespace of cluster-scoped objects. */
  key: string;
  group: string;
  /** API version part without the group, e.g. `v1`. Not part of the identity. */
  version: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** The object with server-owned fields removed (what is digested and diffed). Treat as immutable. */
  object: KubeObject;
  /** sha256 (hex) of the canonical JSON of `object`. */
  digest: string;
  source: SourceLocation;
}

/** A YAML document that is not a Kubernetes object (no apiVersion/kind): reported, never silently dropped. */
export interface SkippedDocument {
  file: string;
  line: number;
  reason: string;
  /** In a plan: the side(s) the document was found on. */
  side?: PlanSide;
}

/** Which revision of a plan an error or a skipped document belongs to. */
export type PlanSide = "base" | "head" | "base and head";

/** An input problem: parse error, limit exceeded, duplicate key, missing namespace... */
export interface ManifestError {
  file: string;
  line?: number;
  column?: number;
  message: string;
  /** In a plan: the side(s) the problem was found on. */
  side?: PlanSide;
}

/** All objects found under the managed paths at one revision. */
export interface ManifestSet {
  /** Keyed by object key. */
  objects: Map<string, ManifestObject>;
  skipped: SkippedDocument[];
  errors: ManifestError[];
}

/** One field-level difference, for display. `path` uses the field path notation below. */
export interface FieldDelta {
  path: string;
  op: "add" | "remove" | "replace";
  before?: unknown;
  after?: unknown;
}

/**
 * One object created, updated or deleted between two manifest sets.
 * Field paths look like `spec.template.spec.containers[name=web].image`,
 * `metadata.labels["app.kubernetes.io/name"]`, `spec.ports[0].port`.
 */
export interface Change {
  key: string;
  op: Operation;
  group: string;
  kind: string;
  namespace: string;
  name: string;
  before?: ManifestObject;
  after?: ManifestObject;
  /** Changed field paths, sorted (empty for create/delete). */
  fields: string[];
  /** Field-level deltas (empty for create/delete). */
  deltas: FieldDelta[];
}

/** The changes between two manifest sets, sorted by key. */
export interface ChangeSet {
  changes: Change[];
  /** Number of objects present and identical on both sides. */
  unchanged: number;
  /** sha256 over the sorted list of (key, op, afterDigest): see `changeSetDigest`. */
  digest: string;
}

/** A rule's verdict on one change: why it is risky, and which field decided it. */
export interface Finding {
  rule: string;
  level: RiskLevel;
  reason: string;
  path?: string;
  /** Set when the rule's expression failed on this object and the rule counted as matched (fail closed). */
  error?: string;
}

/** What a risk level demands before content may be applied. */
export interface Requirement {
  approvals: number;
  /** `org/team-slug` names. */
  teams: string[];
  /** GitHub logins. */
  users: string[];
  /** True when this level is auto-approved (0 approvals); the approval record says so. */
  auto: boolean;
}

export interface ClassifiedChange {
  change: Change;
  level: RiskLevel;
  findings: Finding[];
}

/** The policy's verdict on a whole change set. */
export interface Classification {
  /** Highest level of all changes (the base level when there are no changes). */
  level: RiskLevel;
  /** The requirement of `level`. */
  requirement: Requirement;
  /** One entry per change, in change-set order. */
  changes: ClassifiedChange[];
  /** sha256 of the compiled policy's canonical form: recorded in approval records. */
  policyDigest: string;
  /**
   * Findings about the PR as a whole rather than one object (e.g. it changes the repository
   * configuration or policy files, which makes it critical); `path` is then the repository file.
   */
  pullRequestFindings?: Finding[];
}

/** A plan is a value: the same plan feeds the PR comment, the check run, the apply and the audit record. */
export interface Plan {
  changeSet: ChangeSet;
  classification: Classification;
  skipped: SkippedDocument[];
  errors: ManifestError[];
}

/** One reviewer's latest review on a PR, as the gate sees it. */
export interface Review {
  id: number;
  login: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  /** The PR head SHA the review was submitted on. */
  commitId: string;
  submittedAt: string;
  isBot: boolean;
  /** GitHub's author_association of the reviewer (OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE...). */
  association?: string;
}

/** An approver named in an approval record. */
export interface Approver {
  login: string;
  reviewId: number;
  submittedAt: string;
}

/** One change as bound by an approval record. `afterDigest` is empty for deletions. */
export interface RecordedChange {
  key: string;
  op: Operation;
  afterDigest: string;
  level: RiskLevel;
}

/** A protected file (repository configuration, repository policy) a PR changes: its blob at the head, null when deleted. */
export interface RecordedProtectedFile {
  path: string;
  blob: string | null;
}

/**
 * Written by the gate into its own check run's output when the requirement is met.
 * Trusted only through src/core/approval/verify.ts (app id, newest run, identity, reviews).
 */
export interface ApprovalRecord {
  schema: number;
  repository: string;
  pullRequest: number;
  /** Login of the PR's author (segregation of duties: author and approvers differ). */
  author: string;
  headSha: string;
  baseSha: string;
  changeSetDigest: string;
  /** The protected files the PR changes, sorted by path: the record binds them like objects. */
  protectedFiles: RecordedProtectedFile[];
  level: RiskLevel;
  auto: boolean;
  changes: RecordedChange[];
  approvers: Approver[];
  policyDigest: string;
  createdAt: string;
}
