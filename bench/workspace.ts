/**
 * A real multi-package repository for the benchmark, built from the
 * sources of packages pinned in devDependencies (so it is the same on every
 * machine with the same lockfile): a workspace whose packages are copies
 * of their TypeScript sources or published JavaScript, each with its own
 * tsconfig.json or jsconfig.json, under a solution-style root tsconfig
 * with references, as monorepos set them up. A `node_modules` link to the
 * repository's own lets their imports of dependencies resolve.
 *
 * @module
 */
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One package of the workspace: where its files come from (under node_modules), where they go, and its config. */
interface WorkspacePackage {
  name: string;
  from: string;
  folder: string;
  config: "tsconfig.json" | "jsconfig.json";
  compilerOptions: Record<string, unknown>;
}

const TYPESCRIPT_OPTIONS = {
  target: "ES2022",
  module: "ESNext",
  moduleResolution: "Bundler",
  strict: true,
  skipLibCheck: true,
  types: ["node"],
};
const JAVASCRIPT_OPTIONS = {
  target: "ES2022",
  module: "CommonJS",
  moduleResolution: "Node10",
  checkJs: false,
  types: ["node"],
};

const PACKAGES: readonly WorkspacePackage[] = [
  {
    name: "grpc-js",
    from: "@grpc/grpc-js/src",
    folder: "src",
    config: "tsconfig.json",
    compilerOptions: TYPESCRIPT_OPTIONS,
  },
  {
    name: "realtime-js",
    from: "@supabase/realtime-js/src",
    folder: "src",
    config: "tsconfig.json",
    compilerOptions: TYPESCRIPT_OPTIONS,
  },
  { name: "piscina", from: "piscina/src", folder: "src", config: "tsconfig.json", compilerOptions: TYPESCRIPT_OPTIONS },
  { name: "kafkajs", from: "kafkajs/src", folder: "src", config: "jsconfig.json", compilerOptions: JAVASCRIPT_OPTIONS },
  {
    name: "ioredis",
    from: "ioredis/built",
    folder: "built",
    config: "jsconfig.json",
    compilerOptions: JAVASCRIPT_OPTIONS,
  },
  { name: "mqtt", from: "mqtt/build", folder: "build", config: "jsconfig.json", compilerOptions: JAVASCRIPT_OPTIONS },
];

/** The workspace's file the `--changed` row edits: a TypeScript module in the largest TypeScript package, relative to the workspace root. */
export const CHANGED_FILE = "packages/grpc-js/src/backoff-timeout.ts";

/**
 * Writes the workspace under `dir` (absent or empty).
 *
 * @param dir target directory.
 * @param nodeModules the repository's `node_modules` (absolute), linked from the workspace root.
 */
export function writeWorkspace(dir: string, nodeModules: string): void {
  mkdirSync(join(dir, "packages"), { recursive: true });
  symlinkSync(nodeModules, join(dir, "node_modules"), "dir");
  writeFileSync(join(dir, ".gitignore"), "node_modules\n");
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "bench-workspace", private: true, workspaces: ["packages/*"] }, null, 2),
  );
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify(
      {
        files: [],
        references: PACKAGES.map((each) => ({
          path: `packages/${each.name}${each.config === "jsconfig.json" ? "/jsconfig.json" : ""}`,
        })),
      },
      null,
      2,
    ),
  );
  for (const each of PACKAGES) {
    const root = join(dir, "packages", each.name);
    cpSync(join(nodeModules, each.from), join(root, each.folder), { recursive: true });
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: `@bench/${each.name}`, private: true }, null, 2));
    writeFileSync(
      join(root, each.config),
      JSON.stringify({ compilerOptions: each.compilerOptions, include: [each.folder] }, null, 2),
    );
  }
}
