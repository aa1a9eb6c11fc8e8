/** Process exit codes shared by every subcommand (documented in the README). */
export const EXIT = {
  ok: 0,
  /** Invalid input: manifests, policy, records; the errors are listed in the output. */
  invalidInput: 1,
  /** Usage error: unknown flag, missing argument. */
  usage: 2,
  /** `plan --fail-on` level reached; `audit verify` found a bad record. */
  failOn: 3,
  /** `reconcile --once`: refused (unapproved content), as a `failOn`. */
  refused: 3,
  /** `reconcile --once`/`--adopt`: failed (GitHub, cluster or audit store unreachable, apply error). */
  failed: 4,
} as const;
