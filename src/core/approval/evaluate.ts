import type { Approver, Requirement, Review } from "../model.js";

export { describeVerdict } from "./describe.js";
export type { VerdictDescription } from "./describe.js";

/** Everything the approval rules need, as plain data (the gate gathers it from GitHub). */
export interface ApprovalInput {
  /** Requirement of the PR's level (src/core/model.ts). */
  requirement: Requirement;
  /** All reviews of the PR, any order, several per reviewer possible. */
  reviews: Review[];
  /** PR author login. */
  author: string;
  /** Logins that authored, committed or pushed commits in the PR. */
  committers: string[];
  /** Agent accounts from the repository configuration: never approvers. */
  agents: string[];
  /** Repository configuration: more eligible reviewers. */
  extraReviewers: { users: string[]; teams: string[] };
  /** `org/team-slug` -> member logins (any case). */
  teamMembers: ReadonlyMap<string, ReadonlySet<string>>;
  /** Change-set digest of the current head. */
  currentDigest: string;
  /**
   * Change-set digest of a PR head when a review submitted at `submittedAt` was made on it
   * (a head's content can change without a push, when the PR's base changes); undefined =
   * unknown (the review then does not count).
   */
  digestAt(commitSha: string, submittedAt: string): string | undefined;
}

/** Why a reviewer's review does not count. */
export type IgnoreReason =
  "author" | "committer" | "agent" | "bot" | "not-eligible" | "stale-content" | "dismissed";

export interface IgnoredReview {
  login: string;
  reviewId: number;
  state: Review["state"];
  submittedAt: string;
  reason: IgnoreReason;
  /** One human sentence, e.g. "approved content that has changed since (head 1a2b3c4)". */
  detail: string;
}

export interface BlockingReview {
  login: string;
  reviewId: number;
  submittedAt: string;
}

/** The approval verdict: everything the check run shows. */
export interface ApprovalVerdict {
  /** True when no eligible reviewer blocks and enough eligible approvals bind to the current content (or the level is auto). */
  satisfied: boolean;
  /** The requirement is auto-approved (zero approvals needed). */
  auto: boolean;
  requirement: Requirement;
  /** Approvals needed (0 when auto). */
  needed: number;
  /** Approvals that count for the current content, sorted by login. */
  approvers: Approver[];
  /** Eligible reviewers whose latest review requests changes, sorted by login. */
  blocking: BlockingReview[];
  /** Reviewers whose latest decisive review does not count, with a reason each, sorted by login. */
  ignored: IgnoredReview[];
  /** True when eligibility comes from the reviewers' association (the requirement names nobody). */
  byAssociation: boolean;
}

/** Associations that make a reviewer eligible when the requirement names no users and no teams. */
export const ELIGIBLE_ASSOCIATIONS: ReadonlySet<string> = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

const lower = (s: string): string => s.toLowerCase();

function compareReviews(a: Review, b: Review): number {
  if (a.submittedAt !== b.submittedAt) {
    const ta = Date.parse(a.submittedAt);
    const tb = Date.parse(b.submittedAt);
    if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta - tb;
    return a.submittedAt < b.submittedAt ? -1 : 1;
  }
  return a.id - b.id;
}

/**
 * The decisive review of each reviewer (GitHub semantics): the latest APPROVED, CHANGES_REQUESTED
 * or DISMISSED review by submittedAt then id; COMMENTED and PENDING reviews never replace it.
 */
function decisiveReviews(reviews: Review[]): Review[] {
  const byLogin = new Map<string, Review>();
  for (const review of [...reviews].sort(compareReviews)) {
    if (review.state === "COMMENTED" || review.state === "PENDING") continue;
    byLogin.set(lower(review.login), review);
  }
  return [...byLogin.values()];
}

function isBotLogin(login: string): boolean {
  return /\[bot\]$/i.test(login);
}

function short(sha: string): string {
  return sha.slice(0, 7).replace(/[^0-9a-fA-F]/g, "?");
}

interface Eligibility {
  byAssociation: boolean;
  isEligible(review: Review): boolean;
}

function eligibility(input: ApprovalInput): Eligibility {
  const users = new Set([...input.requirement.users, ...input.extraReviewers.users].map(lower));
  const teams = [...input.requirement.teams, ...input.extraReviewers.teams].map(lower);
  const members = new Map<string, Set<string>>();
  for (const [team, logins] of input.teamMembers) {
    const set = members.get(lower(team)) ?? new Set<string>();
    for (const login of logins) set.add(lower(login));
    members.set(lower(team), set);
  }
  const byAssociation = input.requirement.users.length === 0 && input.requirement.teams.length === 0;
  return {
    byAssociation,
    isEligible(review) {
      const login = lower(review.login);
      if (users.has(login)) return true;
      if (teams.some((team) => members.get(team)?.has(login) === true)) return true;
      return (
        byAssociation && review.association !== undefined && ELIGIBLE_ASSOCIATIONS.has(review.association)
      );
    },
  };
}

/** Apply the approval rules of docs/approval.md to the reviews of a PR. Pure; never throws on review content. */
export function evaluateApproval(input: ApprovalInput): ApprovalVerdict {
  const { requirement } = input;
  const auto = requirement.auto;
  const needed = auto ? 0 : Math.max(0, requirement.approvals);
  const author = lower(input.author);
  const committers = new Set(input.committers.map(lower));
  const agents = new Set(input.agents.map(lower));
  const eligible = eligibility(input);

  const approvers: Approver[] = [];
  const blocking: BlockingReview[] = [];
  const ignored: IgnoredReview[] = [];

  for (const review of decisiveReviews(input.reviews)) {
    const login = lower(review.login);
    const ignore = (reason: IgnoreReason, detail: string): void => {
      ignored.push({
        login: review.login,
        reviewId: review.id,
        state: review.state,
        submittedAt: review.submittedAt,
        reason,
        detail,
      });
    };
    // Agents and bots neither approve nor block: an automated account cannot hold a PR hostage.
    if (agents.has(login)) {
      ignore("agent", "agent accounts never count as reviewers");
      continue;
    }
    if (review.isBot || isBotLogin(review.login)) {
      ignore("bot", "bots never count as reviewers");
      continue;
    }
    const isEligible = eligible.isEligible(review);
    if (review.state === "DISMISSED") {
      ignore("dismissed", "the review was dismissed");
      continue;
    }
    if (review.state === "CHANGES_REQUESTED") {
      // An eligible human's request for changes blocks, whoever else approved and whatever the content.
      if (isEligible)
        blocking.push({ login: review.login, reviewId: review.id, submittedAt: review.submittedAt });
      else ignore("not-eligible", "requested changes but is not an eligible reviewer");
      continue;
    }
    // APPROVED
    if (login === author) {
      ignore("author", "the PR author cannot approve their own changes");
      continue;
    }
    if (committers.has(login)) {
      ignore("committer", "authored or pushed commits in this PR");
      continue;
    }
    if (!isEligible) {
      ignore(
        "not-eligible",
        eligible.byAssociation
          ? "is not an owner, member or collaborator of the repository"
          : "is not a listed reviewer nor a member of a listed team",
      );
      continue;
    }
    const digest = input.digestAt(review.commitId, review.submittedAt);
    if (digest === undefined) {
      ignore("stale-content", `approved head ${short(review.commitId)}, whose content is unknown`);
      continue;
    }
    if (digest !== input.currentDigest) {
      ignore("stale-content", `approved head ${short(review.commitId)}, whose content has changed since`);
      continue;
    }
    approvers.push({ login: review.login, reviewId: review.id, submittedAt: review.submittedAt });
  }

  const byLogin = <T extends { login: string }>(a: T, b: T): number =>
    lower(a.login) < lower(b.login) ? -1 : lower(a.login) > lower(b.login) ? 1 : 0;
  approvers.sort(byLogin);
  blocking.sort(byLogin);
  ignored.sort(byLogin);

  const satisfied = blocking.length === 0 && approvers.length >= needed;
  return {
    satisfied,
    auto,
    requirement,
    needed,
    approvers,
    blocking,
    ignored,
    byAssociation: eligible.byAssociation,
  };
}
