/**
 * Reads what the approval rules need through the evidence port (reviews, commit accounts, team
 * members, the digests of the heads reviews were submitted on) and applies them: the gate's
 * verdict on a PR head, and the re-check of a recorded approval share these reads.
 */
import type { Requirement, Review } from "../model.js";
import { evaluateApproval } from "./evaluate.js";
import type { ApprovalVerdict } from "./evaluate.js";
import type { ApprovalEvidence, RepoRef } from "./evidence.js";
import { contentChangeOfHead, digestOfHead } from "./head-digests.js";
import type { HeadDigestCache } from "./head-digests.js";

/** Old heads looked up per evaluation; reviews on heads beyond this count as unknown content (fail closed). */
export const MAX_DIGEST_LOOKUPS = 20;

/** Who may review, besides the requirement: from the repository configuration. */
export interface ReviewerConfig {
  /** Agent accounts: never approvers. */
  agents: readonly string[];
  /** More eligible reviewers. */
  reviewers: { users: readonly string[]; teams: readonly string[] };
}

/** The reviews of a PR and the accounts and teams that decide whom they count for. */
export interface ReviewFacts {
  reviews: Review[];
  /** Accounts that authored, committed or pushed commits of the PR. */
  committers: string[];
  teamMembers: Map<string, ReadonlySet<string>>;
}

/** Reads the reviews, the commit accounts and the members of every team the requirement or the configuration names. */
export async function readReviewFacts(
  evidence: ApprovalEvidence,
  repo: RepoRef,
  number: number,
  requirement: Requirement,
  config: ReviewerConfig,
  pushers: readonly string[] = [],
): Promise<ReviewFacts> {
  const [reviews, commits] = await Promise.all([
    evidence.reviews(repo, number),
    evidence.commits(repo, number),
  ]);
  const committers = [
    ...new Set([
      ...commits.flatMap((c) => [c.author, c.committer].filter((l): l is string => l !== undefined)),
      ...pushers,
    ]),
  ];
  const teams = [...new Set([...requirement.teams, ...config.reviewers.teams].map((t) => t.toLowerCase()))];
  const teamMembers = new Map<string, ReadonlySet<string>>();
  for (const team of teams) {
    const [org, slug] = team.split("/");
    if (org === undefined || slug === undefined || org === "" || slug === "") continue;
    teamMembers.set(team, await evidence.teamMembers(org, slug));
  }
  return { reviews, committers, teamMembers };
}

/** The PR head being evaluated. */
export interface PullHead {
  repo: RepoRef;
  number: number;
  headSha: string;
  author: string;
  /** Accounts known to have pushed to the PR: they count as committers. */
  pushers?: readonly string[];
}

/**
 * The approval verdict on a PR head whose content has the binding digest `currentDigest`: a
 * review counts when the head it was submitted on held the same content (docs/approval.md).
 */
export async function gatherApproval(
  evidence: ApprovalEvidence,
  pr: PullHead,
  config: ReviewerConfig,
  requirement: Requirement,
  currentDigest: string,
  cache?: HeadDigestCache,
): Promise<ApprovalVerdict> {
  const { reviews, committers, teamMembers } = await readReviewFacts(
    evidence,
    pr.repo,
    pr.number,
    requirement,
    config,
    pr.pushers,
  );
  const known = new Map<string, string>([[pr.headSha, currentDigest]]);
  const oldHeads = [
    ...new Set(
      reviews.filter((r) => r.state === "APPROVED" && r.commitId !== pr.headSha).map((r) => r.commitId),
    ),
  ];
  for (const sha of oldHeads.slice(0, MAX_DIGEST_LOOKUPS)) {
    if (sha === "") continue;
    const digest = await digestOfHead(evidence, pr.repo, sha, cache);
    if (digest !== undefined) known.set(sha, digest);
  }

  const headApproved = reviews.some((r) => r.state === "APPROVED" && r.commitId === pr.headSha);
  const change = headApproved
    ? await contentChangeOfHead(evidence, pr.repo, pr.headSha, currentDigest)
    : undefined;

  return evaluateApproval({
    requirement,
    reviews,
    author: pr.author,
    committers,
    agents: [...config.agents],
    extraReviewers: { users: [...config.reviewers.users], teams: [...config.reviewers.teams] },
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
