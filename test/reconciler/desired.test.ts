import { describe, expect, it } from "vitest";
import { readDesired } from "../../src/reconciler/desired.js";
import { FakeRepo } from "./fakes/fake-repo.js";

const REPO = { owner: "acme", repo: "gitops" };
const CONFIG = [
  "version: 1",
  "paths:",
  "  - path: clusters/prod",
  "    cluster: prod",
  "clusterScopedKinds: [example.com/Widget]",
  "",
].join("\n");
const WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 1\n";

describe("readDesired", () => {
  // The repository's clusterScopedKinds reach the reconciler's parse as they reach the gate's, so a
  // cluster-scoped custom object without its CRD in the tree keys (and digests) the same on both sides.
  it.each([
    ["declared in .github/countersign.yml", { ".github/countersign.yml": CONFIG }, true],
    ["not declared", {}, false],
  ])("a cluster-scoped custom kind %s", async (_case, extra, ok) => {
    const repo = new FakeRepo();
    const sha = repo.commit([], { ...extra, "clusters/prod/widget.yaml": WIDGET });
    const desired = await readDesired(repo, REPO, sha, ["clusters/prod"]);
    expect(desired.set.objects.has("example.com/Widget//w")).toBe(ok);
    expect(desired.set.errors.length === 0).toBe(ok);
    // History sets are built with the same scopes.
    const again = desired.buildSet([{ path: "clusters/prod/widget.yaml", content: WIDGET }]);
    expect(again.objects.has("example.com/Widget//w")).toBe(ok);
  });
});
