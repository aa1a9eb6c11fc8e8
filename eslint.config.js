import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "**/*.snap"] },
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
  {
    // The pure core must stay free of I/O and adapters (STYLE.md: "A pure core").
    files: ["src/core/**/*.ts"],
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
              group: ["../github/*", "../kube/*", "../audit/*", "../gate/*", "../reconciler/*", "../cli/*"],
              message: "src/core must not depend on adapters.",
            },
          ],
        },
      ],
    },
  },
);
