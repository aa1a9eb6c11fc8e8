// Prints the last line of a CI run, "N passed, N failed", from vitest's JSON report, and exits
// non-zero when anything failed: a failed test, a test file that did not load, or a step before
// vitest (typecheck, lint) that left no report at all.
import { readFileSync } from "node:fs";

const [file, statusText] = process.argv.slice(2);
const status = Number(statusText ?? "1");
let report;
try {
  const text = readFileSync(file, "utf8");
  report = text.trim() === "" ? undefined : JSON.parse(text);
} catch (error) {
  console.error(`reading vitest's JSON report ${file}: ${error.message}`);
}
if (report === undefined) {
  console.log("typecheck or lint failed before vitest ran (see above)");
  console.log("0 passed, 1 failed");
  process.exit(status === 0 ? 1 : status);
}
// A test file that fails to load has no failed test but is a failed suite: count it.
const brokenFiles = (report.testResults ?? []).filter(
  (file) =>
    file.status === "failed" && (file.assertionResults ?? []).every((test) => test.status !== "failed"),
).length;
const failed = report.numFailedTests + brokenFiles;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (skipped > 0) console.log(`${skipped} skipped`);
console.log(`${report.numPassedTests} passed, ${failed} failed`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : 0);
