import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit, seedStore } from "./audit-fixture.js";
import { launchBundledChromium } from "./bundled-chromium.js";

let dir: string;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cs-report-"));
  await seedStore(join(dir, "store"));
  // Chromium from npm (@sparticuz/chromium), extracted into this run's directory: no apt package.
  browser = await launchBundledChromium(join(dir, "chromium"));
});
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("countersign audit report --html", () => {
  it("renders a self-contained timeline of applies and refusals in Chromium", async () => {
    const file = join(dir, "report.html");
    const { out } = await runAudit(["report", "--since", "7d", "--html", file], join(dir, "store"));
    expect(out).toMatch(/^wrote .*report\.html: 5 records/);
    const html = await readFile(file, "utf8");
    expect(html).not.toMatch(/<script|src=|@import|url\(/i);

    const page = await browser!.newPage();
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href);
    expect(requests).toEqual([pathToFileURL(file).href]); // nothing fetched but the page itself

    expect(await page.title()).toContain("countersign audit report");
    expect(await page.locator("#summary").innerText()).toBe("2 applies, 1 refusals, 5 records.");
    expect(await page.locator("#events").innerText()).toBe("1 failed, 0 interrupted, 0 drift reverted.");
    expect(await page.locator("#verdicts").innerText()).toMatch(/prod: chain verified, 5 records/);
    const rows = page.locator("#timeline tbody tr");
    expect(await rows.count()).toBe(3);
    const first = await rows.nth(0).locator("td").allInnerTexts();
    expect(first.slice(1, 8)).toEqual([
      "prod",
      "apply",
      "succeeded",
      "1111111aaaaaaa",
      "acme/infra#7",
      "alice (review 77, 2026-01-01T10:00:00Z)",
      "critical",
    ]);
    expect(first[8]).toContain(`update /Secret/web/db ${"a".repeat(64)} → configured`);
    expect(await rows.nth(0).locator("a").getAttribute("href")).toBe("https://github.com/acme/infra/pull/7");
    const refusal = await rows.nth(1).innerText();
    expect(refusal).toContain("direct push <script>alert(1)</script> not approved"); // shown as text, not run
    expect(await page.locator("script").count()).toBe(0);
    expect(await rows.nth(2).innerText()).toMatch(/failed[\s\S]*admission webhook denied/);
    await page.close();
  });
});
