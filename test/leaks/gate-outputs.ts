/**
 * The gate's outputs when GitHub answers with an error quoting a value: the real gate app in
 * Probot (test/gate/harness.ts) with the production logger (src/clients/logger.ts) writing into
 * memory, one pull_request delivery per message entry, the repository configuration read failing
 * with the entry's message. What it writes: the failing check run (evaluationErrorResult) and the
 * log lines (the evaluation error, Probot's and Octokit's own lines).
 */
import nock from "nock";
import type { Masker } from "../../src/core/mask/types.js";
import {
  API,
  INSTALLATION_ID,
  OWNER,
  REPO,
  createTestGate,
  pullRequestPayload,
  sha,
  testPrivateKey,
} from "../gate/harness.js";
import type { Entry } from "./corpus.js";
import { captureLog } from "./log-capture.js";
import type { Rendered } from "./outputs.js";

const repoPath = `/repos/${OWNER}/${REPO}`;

export async function gateOutputs(entries: readonly Entry[], masker: Masker): Promise<Rendered> {
  const messages = entries.filter((e) => e.message !== undefined);
  testPrivateKey();
  nock.disableNetConnect();
  const log = captureLog(masker, "countersign");
  const checks: string[] = [];
  try {
    const { probot } = await createTestGate(undefined, log.logger);
    nock(API)
      .persist()
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: "ghs_testtoken", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    for (const [i, e] of messages.entries()) {
      const scope = nock(API)
        .get(`${repoPath}/contents/.github%2Fcountersign.yml`)
        .reply(422, { message: e.message })
        .post(`${repoPath}/check-runs`)
        .reply(201, (_path, body) => {
          checks.push(JSON.stringify(body));
          return { id: i + 1 };
        });
      // A new pull request each time: the gate skips a delivery not newer than one it handled.
      const payload = pullRequestPayload({ head: sha(`head-${i}`), base: sha("base") });
      payload["number"] = 1000 + i;
      (payload["pull_request"] as Record<string, unknown>)["number"] = 1000 + i;
      await probot.receive({ id: `leak-${i}`, name: "pull_request", payload } as never);
      if (!scope.isDone()) throw new Error(`delivery ${i}: the gate did not make the expected calls`);
    }
  } finally {
    nock.cleanAll();
  }
  return {
    outputs: { "gate check run (evaluation error)": checks.join("\n"), "gate log": log.text() },
    routed: { "gate check run (evaluation error)": messages, "gate log": messages },
  };
}
