import { evaluateApproval } from "../core/approval/evaluate.js";
import type { ApprovalVerdict } from "../core/approval/evaluate.js";
import type { Requirement } from "../core/model.js";
import type { CheckPublisher, PullRequestSource, RepoRef } from "../core/ports/pull-request-source.js";
import type { RepoConfig } from "../core/repo-config.js";
import type { Lru } from "../github/lru.js";

/** Old heads looked up per evaluation; reviews on heads beyond this count as unknown content (fail closed). */
const MAX_DIGEST_LOOKUPS = 20;
const DIGEST = /^[0-9a-f]{64}$/;

export interface ApprovalDeps {
  source: PullRequestSource;
  publisher: CheckPublisher;
  /** Head SHA -> change-set digest, as stored in the app's check runs' `external_id`. */
  digests: Lru<string>;
}

export interface PullRequestFacts {
  repo: RepoRef;
  number: number;
  headSha: string;
  author: string;
  /** Accounts known to have pushed to the PR: they count as committers. */
  pushers?: readonly string[];
}

/** Cached for a head whose runs recorded more than one digest. */
const CONFLICTING = "conflicting";

/**
 * The change-set digest the app recorded for an older head `sha`, from its own check runs;
 * undefined when unknown, or when the runs recorded different digests: the head's content
 * changed with the PR's base, and which content a review of it saw is not known (fail closed).
 */
export async function digestOfHead(
  deps: ApprovalDeps,
  repo: RepoRef,
  sha: string,
): Promise<string | undefined> {
  const key = `${repo.owner}/${repo.repo}@${sha}`;
  const cached = deps.digests.get(key);
  if (cached !== undefined) return cached === CONFLICTING ? undefined : cached;
  const checks = await deps.publisher.listChecks(repo, sha);
  const digests = new Set(
    checks.flatMap((c) =>
      c.headSha === sha && c.status === "completed" && c.externalId !== null && DIGEST.test(c.externalId)
        ? [c.externalId]
        : [],
    ),
  );
  const [only] = digests;
  if (only === undefined) return undefined;
  const value = digests.size === 1 ? only : CONFLICTING;
  deps.digests.set(key, value);
  return value === CONFLICTING ? undefined : value;
}

/**
 * Since when the current head has held `currentDigest`, from the app's own check runs on it. A
 * head's content changes without a push when the PR's base changes (another merge base): an
 * approval of the head made before that approved other content. Returns undefined when every
 * recorded digest of the head is the current one (every review on it counts), otherwise the
 * time (ms) after which a review counts, and the digest the head held before it.
 */
export async function contentChangeOfHead(
  deps: ApprovalDeps,
  repo: RepoRef,
  sha: string,
  currentDigest: string,
): Promise<{ since: number; before: string } | undefined> {
  const runs = (await deps.publisher.listChecks(repo, sha))
    .filter((c) => c.headSha === sha)
    .map((c) => ({ ...c, started: Date.parse(c.startedAt ?? "") }))
    .sort((a, b) =>
      a.started === b.started || Number.isNaN(a.started - b.started) ? a.id - b.id : a.started - b.started,
    );
  let last = -1;
  runs.forEach((c, i) => {
    if (
      c.status === "completed" &&
      c.externalId !== null &&
      DIGEST.test(c.externalId) &&
      c.externalId !== currentDigest
    )
      last = i;
  });
  const other = runs[last];
  if (other === undefined) return undefined;
  // The first run after the last one with other content started once the content had changed.
  const next = runs[last + 1];
  const since = next === undefined || Number.isNaN(next.started) ? Number.POSITIVE_INFINITY : next.started;
  return { since, before: other.externalId as string };
}

/**
 * Gathers what the approval rules need from GitHub (reviews, commit accounts, team members, the
 * digests of the heads reviews were submitted on) and applies them.
 */
export async function gatherApproval(
  deps: ApprovalDeps,
  pr: PullRequestFacts,
  config: RepoConfig,
  requirement: Requirement,
  currentDigest: string,
): Promise<ApprovalVerdict> {
  const { source } = deps;
  const [reviews, commits] = await Promise.all([
    source.listReviews(pr.repo, pr.number),
    source.listCommits(pr.repo, pr.number),
  ]);
  const committers = [
    ...new Set([
      ...commits.flatMap((c) => [c.author, c.committer].filter((l): l is string => l !== undefined)),
      ...(pr.pushers ?? []),
    ]),
  ];

  const teams = [...new Set([...requirement.teams, ...config.reviewers.teams].map((t) => t.toLowerCase()))];
  const teamMembers = new Map<string, ReadonlySet<string>>();
  for (const team of teams) {
    const [org, slug] = team.split("/");
    if (org === undefined || slug === undefined || org === "" || slug === "") continue;
    teamMembers.set(team, await source.teamMembers(org, slug));
  }

  const known = new Map<string, string>([[pr.headSha, currentDigest]]);
  const oldHeads = [
    ...new Set(
      reviews.filter((r) => r.state === "APPROVED" && r.commitId !== pr.headSha).map((r) => r.commitId),
    ),
  ];
  for (const sha of oldHeads.slice(0, MAX_DIGEST_LOOKUPS)) {
    if (sha === "") continue;
    const digest = await digestOfHead(deps, pr.repo, sha);
    if (digest !== undefined) known.set(sha, digest);
  }

  const headApproved = reviews.some((r) => r.state === "APPROVED" && r.commitId === pr.headSha);
  const change = headApproved
    ? await contentChangeOfHead(deps, pr.repo, pr.headSha, currentDigest)
    : undefined;

  return evaluateApproval({
    requirement,
    reviews,
    author: pr.author,
    committers,
    agents: config.agents,
    extraReviewers: config.reviewers,
    teamMembers,
    currentDigest,
    digestAt: (sha, submittedAt) => {
      if (sha === pr.headSha && change !== undefined) {
        const at = Date.parse(submittedAt);
        // Made before the head's content last changed (or at an unknown time): other content.
        if (Number.isNaN(at) || at < change.since) return change.before;
      }
      return known.get(sha);
    },
  });
}
