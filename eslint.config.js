import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Top-level directories of src/ that hold adapters and entry points, which the core never imports. */
const ADAPTER_DIRS = ["github", "kube", "audit", "gate", "reconciler", "cli", "clients", "config", "repo"];

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "scratch/", "**/*.snap"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        performance: "readonly",
        AbortController: "readonly",
        fetch: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        structuredClone: "readonly",
        queueMicrotask: "readonly",
        setImmediate: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
    },
  },
  // The pure core must stay free of I/O and adapters (docs/architecture.md: "A pure core"). Relative paths
  // are resolved by depth, so src/core/ports may import src/core/audit while src/core/x.ts may not
  // import src/audit.
  ...[1, 2].map((depth) => ({
    files: [depth === 1 ? "src/core/*.ts" : "src/core/*/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "probot",
                "@octokit/*",
                "@kubernetes/*",
                "@aws-sdk/*",
                "node-cron",
                "pino",
                "node:fs",
                "node:fs/*",
                "fs",
                "node:child_process",
                "child_process",
                "node:net",
                "node:http",
                "node:https",
              ],
              message: "src/core is pure: no I/O or adapter imports.",
            },
            {
              group: ADAPTER_DIRS.map((dir) => `${"../".repeat(depth)}${dir}/*`),
              message: "src/core must not depend on adapters.",
            },
          ],
        },
      ],
    },
  })),
);
