import { describe, expect, it } from "vitest";
import { createMasker } from "../../../src/core/mask/masker.js";
import type { RiskLevel } from "../../../src/core/model.js";
import { renderMarkdown } from "../../../src/core/report/markdown.js";
import { fieldDeltas } from "../../../src/core/change-set.js";
import { change, classified, manifest, plan, samplePlan } from "./fixtures.js";

const masker = createMasker({ fingerprintKey: "fixed-test-key" });
const SECRETS = ["hunter2", "old-password", "b2xkLXB3", "bmV3LXB3", "xoxb-123456789012", "YXBw"];

function bulkPlan(n: number, every = 1) {
  const levels: RiskLevel[] = ["low", "medium", "high", "critical"];
  const changes = [];
  for (let i = 0; i < n; i++) {
    const name = `app-${String(i).padStart(5, "0")}`;
    const cm = (v: string) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "bulk" },
      data: { v },
    });
    const level = i % every === 0 ? (levels[i % 4] as RiskLevel) : "low";
    changes.push(
      classified(
        change("update", manifest(cm("a"), "bulk.yaml", i), manifest(cm("b"), "bulk.yaml", i), [
          { path: "data.v", op: "replace", before: "a", after: "b" },
        ]),
        level,
        [{ rule: "r", level, reason: `reason ${i}` }],
      ),
    );
  }
  return plan(changes);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The markdown without the content of fenced code blocks (rendered literally by GitHub). */
function outsideFences(md: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of md.split("\n")) {
    const open = /^(`{3,})/.exec(line)?.[1];
    if (fence === undefined && open !== undefined) fence = open;
    else if (fence !== undefined && line === fence) fence = undefined;
    else if (fence === undefined) out.push(line);
  }
  return out.join("\n");
}

describe("renderMarkdown", () => {
  it("renders the sample plan (snapshot)", () => {
    // What reviewers read: summary, table, masked diffs, errors and skipped documents.
    expect(renderMarkdown(samplePlan(), { masker })).toMatchSnapshot();
  });

  it("never shows a secret of the sample plan", () => {
    // Secret data, last-applied, env password, a token in a ConfigMap, a password in an error.
    const md = renderMarkdown(samplePlan(), { masker });
    for (const s of SECRETS) expect(md).not.toContain(s);
  });

  it("shows a changed secret as changed", () => {
    // Before and after of data.password carry different fingerprints.
    const md = renderMarkdown(samplePlan(), { masker });
    const line = (sign: string) => md.split("\n").find((l) => l.startsWith(`${sign} data.password:`));
    expect(line("-")).toMatch(/<masked fp:[0-9a-f]{12}>/);
    expect(line("-")?.slice(1)).not.toBe(line("+")?.slice(1));
  });

  it("lists the most risky changes first", () => {
    // critical (Namespace) before high (Deployment) before medium (Secret) before low (ConfigMap).
    const md = renderMarkdown(samplePlan(), { masker });
    const order = [
      "Namespace legacy",
      "Deployment prod/web",
      "Secret prod/db",
      "ConfigMap prod/settings",
    ].map((s) => md.indexOf(s));
    expect(order.every((v, i) => v > 0 && (i === 0 || v > (order[i - 1] as number)))).toBe(true);
  });

  it.each([
    // A table-breaking, HTML-injecting, mentioning name.
    ["pipe html mention", "x | <img src=x onerror=alert(1)> @octocat\n| injected |"],
    // Markdown link and code fence.
    ["link and fence", "[click](https://evil.example) ``` @org/team"],
  ])("escapes a hostile %s", (_case, hostile) => {
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: hostile, namespace: "ns" },
      data: { a: hostile },
    };
    const p = plan([
      classified(change("create", undefined, manifest(cm, "f.yaml", 1)), "high", [
        { rule: hostile, level: "high", reason: hostile, path: hostile },
      ]),
    ]);
    const md = outsideFences(renderMarkdown(p, { masker }));
    // Outside code blocks: no raw HTML tag, no live mention, every table row keeps its 4 cells.
    expect(md).not.toContain("<img");
    expect(md).not.toMatch(/(^|[^\w])@(octocat|org\/team)/);
    expect(md).not.toContain("](https://evil");
    const rows = md.split("\n").filter((l) => l.startsWith("| "));
    for (const row of rows) expect(row.replace(/\\\|/g, "").split("|").length).toBe(6);
  });

  it("renders 10,000 changes within the default budget and says what it left out", () => {
    // The budget holds at scale, and the omission is announced.
    const md = renderMarkdown(bulkPlan(10_000), { masker });
    expect(md.length).toBeLessThanOrEqual(65_000);
    expect(md).toMatch(/… \d+ more changes not shown \(.*\); run `countersign plan` locally/);
    // Critical rows survive; the least risky are cut first.
    expect(md).toContain("ConfigMap bulk/app-00003");
    expect(md).not.toContain("ConfigMap bulk/app-09996");
  });

  it.each([
    // Small budgets, including smaller than the header.
    [300, 5_000],
    [300, 1_000],
    [300, 200],
    [300, 10],
    // 10,000 changes into a third of the default budget.
    [10_000, 20_000],
  ])("%i changes never exceed maxChars=%i", (n, maxChars) => {
    expect(renderMarkdown(bulkPlan(n), { masker, maxChars }).length).toBeLessThanOrEqual(maxChars);
  });

  it("keeps the changes table when errors and skipped documents are many and long", () => {
    // 50 errors and 50 skipped documents with 500-character names full of `@` (8 characters each
    // once escaped) used to fill the whole budget, so the table was cut away.
    const hostile = `${"@".repeat(480)}.yaml`;
    const errors = Array.from({ length: 60 }, (_, i) => ({
      file: hostile,
      line: i + 1,
      message: "@".repeat(500),
    }));
    const skipped = Array.from({ length: 60 }, (_, i) => ({
      file: hostile,
      line: i + 1,
      reason: "@".repeat(500),
    }));
    const p = { ...bulkPlan(20), errors, skipped };
    const md = renderMarkdown(p, { masker });
    expect(md.length).toBeLessThanOrEqual(65_000);
    expect(md).toContain("#### Changes");
    expect(md).toContain("ConfigMap bulk/app-00019");
    expect(md).not.toContain("report truncated");
    expect(md).toMatch(/#### Errors \(60\)/);
    expect(md).toMatch(/- … and \d+ more; run `countersign plan` locally/);
  });

  it("drops low-risk diffs before any row", () => {
    // With room for every row but not every diff, all rows stay and the diff notice appears.
    const p = bulkPlan(200, 50);
    const full = renderMarkdown(p, { masker, maxChars: 1_000_000 });
    const cut = renderMarkdown(p, { masker, maxChars: Math.floor(full.length * 0.7) });
    expect(cut.length).toBeLessThanOrEqual(Math.floor(full.length * 0.7));
    expect(cut).not.toContain("more changes not shown");
    expect(cut).toMatch(/… diffs of \d+ changes not shown \(\d+ low\)/);
    // The diffs of the two high changes (app-00050, app-00150) are kept.
    expect(cut).toContain("ConfigMap bulk/app-00050</code> · high");
    expect(cut).toContain("ConfigMap bulk/app-00150</code> · high");
  });

  it("links files when given a URL builder, only for https URLs", () => {
    // Error locations become links; a javascript: URL is ignored.
    const p = samplePlan();
    const md = renderMarkdown(p, {
      masker,
      links: { fileUrl: (f, l) => `https://github.com/o/r/blob/abc/${f}#L${l}` },
    });
    expect(md).toContain("](https://github.com/o/r/blob/abc/clusters/prod/broken.yaml#L7)");
    const bad = renderMarkdown(p, { masker, links: { fileUrl: () => "javascript:alert(1)" } });
    expect(bad).not.toContain("javascript:");
  });

  it("does not mutate the plan", () => {
    // A frozen plan would throw on any write; rendering twice gives the same text.
    const p = deepFreeze(samplePlan());
    const first = renderMarkdown(p, { masker });
    expect(renderMarkdown(p, { masker })).toBe(first);
  });

  it("shows a rule error, masked, and ranks an unknown level first", () => {
    // A fail-closed match says why; a level the renderer does not know is treated as the riskiest.
    const cm = (v: string) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: v, namespace: "ns" },
    });
    const p = plan([
      classified(change("create", undefined, manifest(cm("known"), "a.yaml", 1)), "critical"),
      classified(change("create", undefined, manifest(cm("odd"), "b.yaml", 1)), "unknown" as RiskLevel, [
        { rule: "r", level: "high", reason: "x", error: "no such key: token=Zk3pQ9xLm2Rt7Vb1" },
      ]),
    ]);
    const md = renderMarkdown(p, { masker });
    expect(md).toMatch(/⚠ rule error: no such key\\: token=&lt;masked fp\\:[0-9a-f]{12}&gt;/);
    expect(md).not.toContain("Zk3pQ9xLm2Rt7Vb1");
    expect(md.indexOf("ConfigMap ns/odd")).toBeLessThan(md.indexOf("ConfigMap ns/known"));
  });

  it("lists the PR-level findings, such as a changed countersign configuration (snapshot)", () => {
    // A PR that changes only .github/countersign.yml has no object changes, yet is critical: the
    // reviewer must see why.
    const base = plan([]);
    const p = {
      ...base,
      classification: {
        ...base.classification,
        level: "critical" as RiskLevel,
        pullRequestFindings: [
          {
            rule: "protected-file",
            level: "critical" as RiskLevel,
            reason: "changes .github/countersign.yml, the countersign repository configuration",
            path: ".github/countersign.yml",
          },
        ],
      },
    };
    const md = renderMarkdown(p, { masker, title: "countersign" });
    expect(md).toContain("#### Pull request (1)");
    expect(md).toMatchSnapshot();
  });

  it("says when there are no changes", () => {
    // An empty plan still gets a summary.
    expect(renderMarkdown(plan([]), { masker, title: "countersign" })).toBe(
      "### countersign\n\n**low risk** · no changes, 40 unchanged",
    );
  });
});

describe("CRD diffs", () => {
  it("summarise the schema and fold descriptions away", () => {
    // Reworded descriptions filled the comment and pushed the risky rows out of it.
    const crd = (description: string, extra: Record<string, unknown>) => ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { kind: "Widget", plural: "widgets" },
        scope: "Namespaced",
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                description,
                properties: { size: { type: "integer" }, ...extra },
              },
            },
          },
        ],
      },
    });
    const before = manifest(crd("old words", { gone: { type: "string" } }), "crd.yaml", 1);
    const after = manifest(crd("new words", { shape: { type: "string" } }), "crd.yaml", 1, 2);
    const deltas = fieldDeltas(before.object, after.object);
    const md = renderMarkdown(plan([classified(change("update", before, after, deltas), "high")]), {
      masker,
    });
    expect(md).toContain("# schema: 1 added, 1 removed; 1 description change(s) folded away");
    expect(md).toContain(
      "# high: spec.versions[name=v1].schema.openAPIV3Schema.properties.gone: field gone is removed",
    );
    expect(md).not.toContain("old words");
  });
});
