import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";

// There is no container engine on the project's machines: this reads the Dockerfile the way the
// builder does (continuations joined, comments dropped) and checks the points the image must meet.

const ROOT = join(import.meta.dirname, "../..");

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    if (/^\s*#/.test(line)) continue; // comments (and parser directives), also inside continuations
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, " ");
      continue;
    }
    current += line;
    if (current.trim() !== "") logical.push(current.trim());
    current = "";
  }
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^(\w+)\s+([\s\S]*)$/.exec(line);
    if (!match) throw new Error(`unreadable Dockerfile line: ${line}`);
    const instruction = { op: match[1]!.toUpperCase(), args: match[2]!.replace(/\s+/g, " ").trim() };
    if (instruction.op === "FROM") {
      const [from, as, name] = instruction.args.split(" ");
      stages.push({ from: from!, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const text = await readFile(join(ROOT, "Dockerfile"), "utf8");
const { args, stages } = parseDockerfile(text);
const runtime = stages.at(-1)!;
const all = (stage: Stage, op: string): string[] =>
  stage.instructions.filter((i) => i.op === op).map((i) => i.args);
const only = (stage: Stage, op: string): string => {
  const found = all(stage, op);
  expect(found, op).toHaveLength(1);
  return found[0]!;
};

describe("Dockerfile", () => {
  it("is multi-stage on a Node.js LTS slim image, the same in both stages", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const nodeVersion = args
      .find((a) => a.op === "ARG" && a.args.startsWith("NODE_VERSION="))
      ?.args.split("=")[1];
    // Even major versions are the LTS lines; the code supports >= 20.19, the image runs a current one.
    expect(Number(nodeVersion) % 2).toBe(0);
    expect(Number(nodeVersion)).toBeGreaterThanOrEqual(22);
    for (const stage of stages) expect(stage.from).toBe("node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim");
    expect(runtime.name).toBe("runtime");
  });

  it("installs production dependencies only in the runtime stage, and removes npm after", () => {
    const runs = all(runtime, "RUN");
    expect(runs.some((r) => /npm ci --omit=dev --ignore-scripts/.test(r))).toBe(true);
    expect(runs.some((r) => /rm -rf .*\/usr\/local\/lib\/node_modules\/npm/.test(r))).toBe(true);
    // Nothing fetched from the network at run time or by URL.
    expect(runtime.instructions.filter((i) => i.op === "ADD")).toEqual([]);
    expect(runs.join("\n")).not.toMatch(/curl|wget|apt-get/);
  });

  it("runs as a numeric non-root user", () => {
    expect(only(runtime, "USER")).toMatch(/^[1-9]\d*:[1-9]\d*$/);
  });

  it("has an init as PID 1, countersign as the entrypoint and gate as the default command", () => {
    expect(JSON.parse(only(runtime, "ENTRYPOINT"))).toEqual(["/usr/local/bin/tini", "--", "countersign"]);
    expect(JSON.parse(only(runtime, "CMD"))).toEqual(["gate"]);
    // tini comes from the build stage's Debian package, statically linked (nothing to install here).
    expect(all(runtime, "COPY")).toContain("--from=build /usr/bin/tini-static /usr/local/bin/tini");
    expect(all(runtime, "RUN").join("\n")).toContain(
      "ln -s /app/dist/cli/index.js /usr/local/bin/countersign",
    );
    expect(only(runtime, "EXPOSE").split(" ").sort()).toEqual(["3000", "8080"]);
  });

  it("writes only to the spool directory (owned by the runtime user) and /tmp", () => {
    const user = only(runtime, "USER");
    const runs = all(runtime, "RUN").join("\n");
    expect(runs).toContain("mkdir -p /var/lib/countersign/spool");
    expect(runs).toContain(`chown -R ${user} /var/lib/countersign`);
    expect(only(runtime, "ENV")).toContain("HOME=/tmp");
  });

  it("copies only files that exist and that .dockerignore lets into the build context", async () => {
    const ignore = (await readFile(join(ROOT, ".dockerignore"), "utf8"))
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    // An allow-list: everything is excluded first, so a stray .env or key never reaches a layer.
    expect(ignore[0]).toBe("*");
    const included = (path: string): boolean => {
      let keep = true;
      for (const pattern of ignore) {
        const negated = pattern.startsWith("!");
        const glob = (negated ? pattern.slice(1) : pattern).replace(/\/$/, "");
        if (
          picomatch.isMatch(path, glob, { dot: true }) ||
          picomatch.isMatch(path, `${glob}/**`, { dot: true })
        ) {
          keep = negated;
        }
      }
      return keep;
    };
    const sources = stages.flatMap((stage) =>
      all(stage, "COPY")
        .filter((c) => !c.startsWith("--from="))
        .flatMap((c) => c.split(" ").slice(0, -1)),
    );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(included(source.replace(/\/$/, "")), source).toBe(true);
    }
    for (const secretish of [
      ".env",
      "key.pem",
      "src/.env",
      "node_modules/x",
      ".git/config",
      "dist/cli/index.js",
    ]) {
      expect(included(secretish), secretish).toBe(false);
    }
  });
});
