/**
 * An in-memory ApprovalEvidence (policy-bot's `pulltest` style): the state of one forge, set by
 * the test, checked against the port at compile time. It lists check runs of every app, as a
 * careless adapter would, so the verifier's own app filter is exercised too.
 */
import type { ApprovalEvidence, EvidencePull } from "../../../src/core/approval/evidence.js";
import type { Review } from "../../../src/core/model.js";
import type { CheckRunView, CommitAccounts, RepoRef } from "../../../src/core/ports/pull-request-source.js";

export class FakeEvidence implements ApprovalEvidence {
  readonly pulls = new Map<number, EvidencePull>();
  readonly runs: CheckRunView[] = [];
  readonly reviewsOf = new Map<number, Review[]>();
  readonly commitsOf = new Map<number, CommitAccounts[]>();
  readonly teams = new Map<string, string[]>();
  /** Requests served, in order: tests assert what was (not) read. */
  readonly calls: string[] = [];
  /** A method name that fails, to prove failed reads are never taken as answers. */
  failing?: keyof ApprovalEvidence;

  private served(method: keyof ApprovalEvidence, what: string): void {
    this.calls.push(`${method} ${what}`);
    if (this.failing === method) throw new Error(`${method} is unavailable (HTTP 502)`);
  }

  checkRuns(_repo: RepoRef, sha: string): Promise<CheckRunView[]> {
    this.served("checkRuns", sha);
    return Promise.resolve(this.runs.filter((r) => r.headSha === sha).map((r) => ({ ...r })));
  }

  reviews(_repo: RepoRef, number: number): Promise<Review[]> {
    this.served("reviews", String(number));
    return Promise.resolve([...(this.reviewsOf.get(number) ?? [])]);
  }

  pull(_repo: RepoRef, number: number): Promise<EvidencePull> {
    this.served("pull", String(number));
    const pull = this.pulls.get(number);
    if (pull === undefined) return Promise.reject(new Error(`pull request #${number} not found (HTTP 404)`));
    return Promise.resolve({ ...pull });
  }

  commits(_repo: RepoRef, number: number): Promise<CommitAccounts[]> {
    this.served("commits", String(number));
    return Promise.resolve([...(this.commitsOf.get(number) ?? [])]);
  }

  teamMembers(org: string, slug: string): Promise<ReadonlySet<string>> {
    this.served("teamMembers", `${org}/${slug}`);
    return Promise.resolve(
      new Set((this.teams.get(`${org}/${slug}`.toLowerCase()) ?? []).map((l) => l.toLowerCase())),
    );
  }
}

// Compile-time proof that the fake is a complete ApprovalEvidence.
new FakeEvidence() satisfies ApprovalEvidence;
