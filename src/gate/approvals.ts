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
}

/** The change-set digest the app recorded for `sha`, from its own check run; undefined when unknown. */
export async function digestOfHead(
  deps: ApprovalDeps,
  repo: RepoRef,
  sha: string,
): Promise<string | undefined> {
  const key = `${repo.owner}/${repo.repo}@${sha}`;
  const cached = deps.digests.get(key);
  if (cached !== undefined) return cached;
  const checks = await deps.publisher.listChecks(repo, sha);
  const digest = checks.find(
    (c) =>
      c.headSha === sha && c.status === "completed" && c.externalId !== null && DIGEST.test(c.externalId),
  )?.externalId;
  if (digest !== undefined && digest !== null) deps.digests.set(key, digest);
  return digest ?? undefined;
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
    ...new Set(commits.flatMap((c) => [c.author, c.committer].filter((l): l is string => l !== undefined))),
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

  return evaluateApproval({
    requirement,
    reviews,
    author: pr.author,
    committers,
    agents: config.agents,
    extraReviewers: config.reviewers,
    teamMembers,
    currentDigest,
    digestAt: (sha) => known.get(sha),
  });
}
