/**
 * The reconciler's outputs for a corpus, through its real passes (src/reconciler/pass.ts, apply.ts,
 * drift.ts) over the in-memory ports of test/reconciler/fakes: the `countersign/apply` commit
 * statuses, the apply and refusal comments, the audit records (baseline, intent, result, refusal,
 * drift), the drift report, the pass reports (what `reconcile --once` prints) and the log lines of
 * the production logger. Secrets reach them as object content, as API server rejections quoting a
 * value (on the dry run, on the real apply, on a drift revert), as the reason a pull request's
 * approval is invalid, and as a failing API call that stops a pass.
 */
import { stringify } from "yaml";
import { buildManifestSet } from "../../src/core/manifest-set.js";
import type { Masker } from "../../src/core/mask/types.js";
import type { KubeObject } from "../../src/core/model.js";
import { ClusterApiError } from "../../src/core/ports/cluster.js";
import { STATUS_CONTEXT, statusText } from "../../src/reconciler/report-text.js";
import type { ReconcilerDeps } from "../../src/reconciler/reconciler.js";
import { checkDrift } from "../../src/reconciler/drift.js";
import { runPass } from "../../src/reconciler/pass.js";
import { configMap, file, World } from "../reconciler/fakes/world.js";
import type { Entry } from "./corpus.js";
import { captureLog, reconcilerLog } from "./log-capture.js";
import type { Rendered } from "./outputs.js";

/** Objects per pull request: an apply comment lists 50 objects, so every one of these is listed. */
const PER_PULL = 40;
/** Unapproved pull requests per refusal: a refusal comment lists 50 uncovered objects. */
const PER_REFUSAL = 40;

const identity: Pick<Masker, "maskText"> = { maskText: (t) => t };

const chunks = <T>(items: readonly T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / n) }, (_, i) => items.slice(i * n, i * n + n));

/** What a failing API call says when it quotes a value: short, so a status description can hold it. */
const quoting = (e: Entry): string => `Invalid value: ${JSON.stringify(e.value ?? e.message)}`;

export async function reconcilerOutputs(entries: readonly Entry[], masker: Masker): Promise<Rendered> {
  const objects = entries.filter((e) => e.base !== undefined || e.head !== undefined);
  const messages = entries.filter((e) => e.message !== undefined);
  const path = new Map(objects.map((e, i) => [e, file(`m/${String(i).padStart(4, "0")}.yaml`)]));
  const yaml = (o: KubeObject | undefined): string | null => (o === undefined ? null : stringify(o));
  const baseFiles = Object.fromEntries(
    objects.filter((e) => e.base !== undefined).map((e) => [path.get(e), yaml(e.base)]),
  ) as Record<string, string>;

  const world = await World.create(baseFiles);
  try {
    // The world's masker is the one under test (the unmasked control passes an identity masker).
    Object.assign(world, { masker });
    world.audit.close();
    world.audit = world.newAuditLog();
    const log = captureLog(masker, "countersign-reconciler");
    const deps = (): ReconcilerDeps => ({
      ...world.deps(),
      log: reconcilerLog(log.logger.child({ cluster: "prod" })),
    });
    await world.baseline();

    // Every comment body as posted (a sticky comment is edited in place: each version counts).
    const comments: string[] = [];
    const reporter = world.reporter;
    const upsert = reporter.upsertPullComment.bind(reporter);
    const onCommit = reporter.commentOnCommit.bind(reporter);
    reporter.upsertPullComment = async (repo, n, marker, body) => {
      comments.push(body);
      await upsert(repo, n, marker, body);
    };
    reporter.commentOnCommit = async (repo, sha, body) => {
      comments.push(body);
      await onCommit(repo, sha, body);
    };
    // What a pass says (`reconcile --once` prints it, the daemon logs it): outcome, commit, message.
    const reports: unknown[] = [];
    const pass = async (): Promise<void> => {
      const { outcome, sha, message } = await runPass(deps(), world.state);
      reports.push({ outcome, sha, message });
    };

    // Approved pull requests carrying every object entry; API server rejections quote the messages.
    for (const chunk of chunks(objects, PER_PULL)) {
      const changes = Object.fromEntries(chunk.map((e) => [path.get(e) as string, yaml(e.head)]));
      const n = world.openPull(changes);
      // The approval is computed over the files the pull request touches only (the same change
      // set, without re-reading the whole tree for each pull request).
      const filesAt = world.repo.filesAt.bind(world.repo);
      world.repo.filesAt = (sha) => new Map([...filesAt(sha)].filter(([p]) => p in changes));
      try {
        world.approve(n);
      } finally {
        world.repo.filesAt = filesAt;
      }
      world.merge(n, "merge");
    }
    const headSet = buildManifestSet(
      objects
        .filter((e) => e.head !== undefined)
        .map((e) => ({ path: path.get(e) as string, content: stringify(e.head) })),
    );
    const keyOf = new Map([...headSet.objects.values()].map((o) => [o.source.file, o.key]));
    const targets = objects.filter((e) => e.head !== undefined).slice(0, messages.length);
    const rejections = new Map(
      targets.map((e, i) => [
        keyOf.get(path.get(e) as string) as string,
        (messages[i] as Entry).message as string,
      ]),
    );
    // The dry run rejects (nothing written), then the real applies fail, then everything applies.
    for (const [k, m] of rejections) world.cluster.reject.set(k, m);
    await pass();
    world.cluster.reject.clear();
    for (const [k, m] of rejections) world.cluster.rejectReal.set(k, m);
    await pass();
    world.cluster.rejectReal.clear();
    await pass();

    // Drift on the rejected objects; reverting it is rejected with the same messages.
    for (const k of rejections.keys()) {
      const live = world.cluster.live.get(k) as KubeObject;
      world.cluster.live.set(k, {
        ...live,
        metadata: { ...(live["metadata"] as object), labels: { drift: "yes" } },
      });
      world.cluster.rejectReal.set(k, rejections.get(k) as string);
    }
    const drift = await checkDrift(deps());
    world.cluster.rejectReal.clear();

    // Merged pull requests whose approval is invalid, the reason quoting a message: refused.
    for (const [round, chunk] of chunks(messages, PER_REFUSAL).entries()) {
      for (const [i, e] of chunk.entries()) {
        const n = world.openPull({
          [file(`refused/${round}-${i}.yaml`)]: configMap(`refused-${round}-${i}`, { v: "1" }),
        });
        world.approvals.byPull.set(n, {
          ok: false,
          reason: `the repository configuration or policy is invalid: ${e.message as string}`,
        });
        world.merge(n, "merge");
      }
      await pass();
      await world.adopt(world.head, "next refusal round");
    }

    // A pass stopped by a failing API call quoting a value: the status and the log say why.
    const read = world.cluster.read.bind(world.cluster);
    for (const e of messages) {
      world.cluster.read = async () => {
        throw new ClusterApiError("reading the inventory", 422, "Invalid", quoting(e));
      };
      world.directPush({ [file("nudge.yaml")]: configMap("nudge", { v: e.id }) });
      await pass();
    }
    world.cluster.read = read;

    const statuses = world.reporter.statuses.filter((s) => s.context === STATUS_CONTEXT);
    // A description holds 140 characters: only messages whose credential fits in are routed there.
    const fits = messages.filter((e) => {
      const shown = statusText(identity as Masker, `not applied: ${quoting(e)} (HTTP 422)`);
      return e.needles.some((n) => shown.includes(n));
    });
    return {
      outputs: {
        "apply status": statuses.map((s) => s.description).join("\n"),
        "apply comments": comments.join("\n"),
        "reconciler audit records": JSON.stringify(await world.records()),
        "drift report": JSON.stringify(drift),
        "pass reports": JSON.stringify(reports),
        "reconciler log": log.text(),
      },
      routed: {
        "apply status": fits,
        "apply comments": messages,
        "reconciler audit records": [...objects.filter((e) => e.head !== undefined), ...messages],
        "drift report": messages,
        "pass reports": messages,
        "reconciler log": messages,
      },
    };
  } finally {
    await world.dispose();
  }
}
