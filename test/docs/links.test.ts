import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

// The README and the documents must be complete inside the repository: every link resolves to a
// file of the repository, none leaves it, and nothing points at the team's notes outside it.

const ROOT = join(import.meta.dirname, "../..");
const documents = [
  join(ROOT, "README.md"),
  ...(await readdir(join(ROOT, "docs"))).filter((f) => f.endsWith(".md")).map((f) => join(ROOT, "docs", f)),
];

/** Inline markdown links and images, outside code blocks and code spans. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

describe.each(documents.map((file) => [relative(ROOT, file), file]))("%s", (_name, file) => {
  it("links only to files inside the repository that exist", async () => {
    const text = await readFile(file, "utf8");
    for (const link of links(text)) {
      expect(link, "a link out of the repository").not.toMatch(/^[a-z][a-z0-9+.-]*:/i);
      const path = link.split("#")[0]!;
      if (path === "") continue; // an anchor in the same document
      const target = join(dirname(file), decodeURI(path));
      expect(relative(ROOT, target), `${link} leaves the repository`).not.toMatch(/^\.\./);
      expect(existsSync(target), `${link} does not exist`).toBe(true);
    }
  });

  it("does not refer to the team's design notes outside the repository", async () => {
    const text = await readFile(file, "utf8");
    expect(text).not.toMatch(/DESIGN\.md|\.\.\/shared|STACK\.md|STYLE\.md/);
  });
});

it("finds the links it checks (the README links to the architecture and install guides)", async () => {
  const readme = links(await readFile(join(ROOT, "README.md"), "utf8"));
  expect(readme).toEqual(expect.arrayContaining(["docs/architecture.md", "docs/install.md"]));
});
