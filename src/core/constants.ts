/**
 * Load-bearing constants. Changing any of these changes how countersign recognises its own
 * artefacts on GitHub, in the cluster and in the audit log: do it only with a migration.
 */

/** Name of the check run the gate publishes on every PR head; the reconciler looks it up by this name. */
export const CHECK_RUN_NAME = "countersign";

/** Server-side apply field manager: owns the fields countersign applies; pruning trusts it. */
export const FIELD_MANAGER = "countersign";

/** Hidden marker that identifies the gate's sticky PR comment, so it is updated in place. */
export const COMMENT_MARKER = "<!-- countersign:report -->";

/** Version of the approval record embedded in the check run output. Bump on any shape change. */
export const APPROVAL_RECORD_SCHEMA = 2;

/** Version of audit log records. Bump on any shape change; `audit verify` reads every version it knows. */
export const AUDIT_RECORD_SCHEMA = 1;

/** Repository configuration file, always read from the default branch. */
export const REPO_CONFIG_PATH = ".github/countersign.yml";

/** GitHub's limits (check-run output summary/text, issue comments): reports stay below them. */
export const GITHUB_TEXT_LIMIT = 65_535;
export const REPORT_CHAR_BUDGET = 65_000;
/** GitHub accepts at most this many check-run annotations per request. */
export const ANNOTATIONS_PER_REQUEST = 50;
