import type { RepoRef } from "../../../src/core/ports/revision-reader.js";
import type { ApplyReporter, StatusState } from "../../../src/reconciler/ports.js";

/** Records what the reconciler reports, as GitHub would show it. */
export class FakeReporter implements ApplyReporter {
  readonly statuses: { sha: string; context: string; state: StatusState; description: string }[] = [];
  /** `pr:marker` -> latest body. */
  readonly pullComments = new Map<string, string>();
  readonly commitComments: { sha: string; body: string }[] = [];

  async setStatus(
    _repo: RepoRef,
    sha: string,
    context: string,
    state: StatusState,
    description: string,
  ): Promise<void> {
    this.statuses.push({ sha, context, state, description });
  }

  async upsertPullComment(_repo: RepoRef, pullRequest: number, marker: string, body: string): Promise<void> {
    this.pullComments.set(`${pullRequest}:${marker}`, body);
  }

  async commentOnCommit(_repo: RepoRef, sha: string, body: string): Promise<void> {
    this.commitComments.push({ sha, body });
  }

  lastStatus(): { sha: string; state: StatusState; description: string } | undefined {
    return this.statuses[this.statuses.length - 1];
  }

  /** Everything it published, as one text (to search for leaked secrets). */
  everything(): string {
    return JSON.stringify([this.statuses, [...this.pullComments], this.commitComments]);
  }
}
