import {
  ANNOTATIONS_PER_REQUEST,
  CHECK_RUN_NAME,
  COMMENT_MARKER,
  GITHUB_TEXT_LIMIT,
} from "../core/constants.js";
import type {
  CheckAnnotation,
  CheckPublisher,
  CheckResult,
  CheckRunView,
  RepoRef,
} from "../core/ports/pull-request-source.js";
import type { GitHubCaches } from "./github-caches.js";
import type { GitHubClient } from "./octokit-pull-request-source.js";

/** The longest prefix of `text` of at most `bytes` UTF-8 bytes, never splitting a character. */
function cutUtf8(text: string, bytes: number): string {
  const buffer = Buffer.from(text, "utf8");
  if (buffer.length <= bytes) return text;
  let end = Math.max(0, bytes);
  // Step back over continuation bytes (10xxxxxx) to the start of the character that was cut.
  while (end > 0 && ((buffer[end] ?? 0) & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString("utf8");
}

/**
 * Cuts `text` to GitHub's limit, saying so at the end. GitHub counts the limit in UTF-8 bytes
 * ("summary exceeds a maximum bytesize of 65535"), so a report with `·` or non-ASCII names would
 * otherwise be refused with a 422 and the PR could never pass.
 */
export function fitGitHubText(text: string, limit = GITHUB_TEXT_LIMIT): string {
  if (Buffer.byteLength(text, "utf8") <= limit) return text;
  const note = "\n\n… (truncated to fit GitHub's limit)";
  return cutUtf8(text, limit - Buffer.byteLength(note, "utf8")) + note;
}

function toGitHubAnnotation(a: CheckAnnotation): {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
} {
  const out = {
    path: a.path,
    start_line: Math.max(1, a.startLine),
    end_line: Math.max(1, a.endLine, a.startLine),
    annotation_level: a.level,
    message: fitGitHubText(a.message, 64_000),
  };
  return a.title === undefined ? out : { ...out, title: cutUtf8(a.title, 255) };
}

/** A result's output (every request re-sends the text, so no update can leave it out) and its annotation batches. */
function checkOutput(result: CheckResult): {
  output: { title: string; summary: string; text?: string };
  batches: CheckAnnotation[][];
} {
  const output = {
    title: cutUtf8(result.title, 255),
    summary: fitGitHubText(result.summary),
    ...(result.text === undefined ? {} : { text: fitGitHubText(result.text) }),
  };
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < result.annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(result.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  return { output, batches };
}

/**
 * CheckPublisher over the GitHub REST API: one check run per head, annotations in batches of
 * ANNOTATIONS_PER_REQUEST, and one sticky comment per PR found by COMMENT_MARKER.
 */
export class OctokitCheckPublisher implements CheckPublisher {
  constructor(
    private readonly octokit: GitHubClient,
    private readonly caches: GitHubCaches,
    /** This app's id (required): only its own check runs and comments are trusted or edited. */
    private readonly appId: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    // An undefined or invalid id must never turn the "only my own check runs" filter off.
    if (!Number.isSafeInteger(appId) || appId <= 0) {
      throw new Error("creating the check publisher: the app id must be a positive integer");
    }
  }

  async startCheck(repo: RepoRef, headSha: string): Promise<number> {
    const { data } = await this.octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      ...repo,
      name: CHECK_RUN_NAME,
      head_sha: headSha,
      status: "in_progress",
      started_at: this.now().toISOString(),
      output: { title: "Evaluating…", summary: "countersign is reading the changes of this pull request." },
    });
    return Number(data.id);
  }

  async publishCheck(repo: RepoRef, headSha: string, result: CheckResult): Promise<number> {
    const { output, batches } = checkOutput(result);
    const [first = [], ...rest] = batches;
    const now = this.now().toISOString();
    // One write for the verdict: the run is created completed, with the text (the approval record)
    // and the first batch of annotations.
    const { data } = await this.octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      ...repo,
      name: CHECK_RUN_NAME,
      head_sha: headSha,
      status: "completed",
      conclusion: result.conclusion,
      started_at: now,
      completed_at: now,
      ...(result.externalId === undefined ? {} : { external_id: result.externalId }),
      output: { ...output, annotations: first.map(toGitHubAnnotation) },
    });
    const id = Number(data.id);
    // GitHub appends the annotations of each update; every update re-sends the same text.
    for (const batch of rest) {
      await this.octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        ...repo,
        check_run_id: id,
        output: { ...output, annotations: batch.map(toGitHubAnnotation) },
      });
    }
    return id;
  }

  async completeCheck(repo: RepoRef, checkRunId: number, result: CheckResult): Promise<void> {
    const { output, batches } = checkOutput(result);
    const last = batches.pop() ?? [];
    // GitHub appends the annotations of each update. The earlier batches go first, while the run is
    // still in progress: the conclusion is set by the last request, so a failure on the way never
    // leaves a completed run with part of its output.
    for (const batch of batches) {
      await this.octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        ...repo,
        check_run_id: checkRunId,
        output: { ...output, annotations: batch.map(toGitHubAnnotation) },
      });
    }
    await this.octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...repo,
      check_run_id: checkRunId,
      status: "completed",
      conclusion: result.conclusion,
      completed_at: this.now().toISOString(),
      ...(result.externalId === undefined ? {} : { external_id: result.externalId }),
      output: { ...output, annotations: last.map(toGitHubAnnotation) },
    });
  }

  async listChecks(repo: RepoRef, ref: string): Promise<CheckRunView[]> {
    // Every page: a head can hold more than 100 runs (one per review event), and the one that
    // recorded other content, or the newest, must not be missed.
    const runs = await this.octokit.paginate("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
      ...repo,
      ref,
      check_name: CHECK_RUN_NAME,
      filter: "all",
      per_page: 100,
      app_id: this.appId,
    });
    // GitHub filters by app_id already; checking again costs nothing and survives an API change.
    return runs
      .filter((c) => c.name === CHECK_RUN_NAME && c.app?.id === this.appId)
      .map((c) => ({
        id: Number(c.id),
        headSha: c.head_sha,
        status: c.status,
        conclusion: c.conclusion ?? null,
        externalId: c.external_id ?? null,
        outputText: c.output?.text ?? null,
        appId: c.app?.id ?? null,
        startedAt: c.started_at ?? null,
      }));
  }

  async upsertStickyComment(repo: RepoRef, number: number, body: string): Promise<void> {
    const key = `${repo.owner}/${repo.repo}#${number}`;
    const text = fitGitHubText(body.includes(COMMENT_MARKER) ? body : `${COMMENT_MARKER}\n${body}`, 65_536);
    // Skip a write that would change nothing (review events re-render the same report).
    if (this.caches.commentBodies.get(key) === text) return;
    const known = this.caches.commentIds.get(key) ?? (await this.findStickyComment(repo, number));
    const id = await writeComment(this.octokit, repo, number, known, text);
    this.caches.commentIds.set(key, id);
    this.caches.commentBodies.set(key, text);
  }

  private async findStickyComment(repo: RepoRef, number: number): Promise<number | undefined> {
    return findOwnComment(this.octokit, this.appId, repo, number, COMMENT_MARKER);
  }
}

/**
 * Edits comment `id` to `text`, or posts a new comment on the issue or pull request when there is
 * none or it was deleted (404); returns the id of the comment written.
 */
export async function writeComment(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  id: number | undefined,
  text: string,
): Promise<number> {
  if (id !== undefined) {
    try {
      await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
        ...repo,
        comment_id: id,
        body: text,
      });
      return id;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
      // Someone deleted it: post a new one.
    }
  }
  const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    ...repo,
    issue_number: issueNumber,
    body: text,
  });
  return Number(data.id);
}

/** The id of this app's comment carrying `marker` on an issue or pull request (every page read). */
export async function findOwnComment(
  octokit: GitHubClient,
  appId: number,
  repo: RepoRef,
  issueNumber: number,
  marker: string,
): Promise<number | undefined> {
  const comments = await octokit.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  // Anyone can paste the marker into a comment: only the app's own (bot) comment is ours.
  const mine = comments.find(
    (c) =>
      c.body?.includes(marker) === true && c.user?.type === "Bot" && c.performed_via_github_app?.id === appId,
  );
  return mine === undefined ? undefined : Number(mine.id);
}
