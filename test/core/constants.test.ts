import { describe, expect, it } from "vitest";
import { CHECK_RUN_NAME, REPORT_CHAR_BUDGET, GITHUB_TEXT_LIMIT } from "../../src/core/constants.js";

describe("constants", () => {
  it("keeps the report budget below GitHub's text limit", () => {
    expect(REPORT_CHAR_BUDGET).toBeLessThan(GITHUB_TEXT_LIMIT);
    expect(CHECK_RUN_NAME).toBe("countersign");
  });
});
