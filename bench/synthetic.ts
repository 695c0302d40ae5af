/**
 * A generated application for the memory benchmark: `count` TypeScript
 * modules that import each other, with classes, async functions, timers and
 * floating promises in realistic proportions (about 90 lines per file).
 * Module names have `.ts` extensions, so the tsconfig allows them.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes the application under `dir` (which must be empty or absent), with a
 * tsconfig.json, and returns the number of files written.
 *
 * @param dir target directory.
 * @param count number of modules (e.g. 2500).
 */
export function writeSyntheticApp(dir: string, count: number): number {
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        allowImportingTsExtensions: true,
        strict: true,
        noEmit: true,
        lib: ["ES2022", "DOM"],
      },
      include: ["src"],
    }),
  );
  for (let index = 0; index < count; index++) {
    const folder = `area${index % 50}`;
    mkdirSync(join(dir, "src", folder), { recursive: true });
    writeFileSync(join(dir, "src", folder, `module${index}.ts`), moduleSource(index, count));
  }
  return count;
}

function moduleSource(index: number, count: number): string {
  // Layered imports (each module uses two from about 50 and 100 modules
  // below it) keep import chains as short as a real application's; a random
  // graph makes chains thousands deep, which no TypeScript program survives.
  const targets = [index - 50 - (index % 7), index - 100 - (index % 13)].filter((target) =>
    target >= 0 && target < count
  );
  const imports = targets.map((target) =>
    `import { Service${target} } from "../area${target % 50}/module${target}.ts";`
  );
  const uses = targets.map((target) => `    new Service${target}().handle({ id: String(input.id), items: [] });`);
  return `${imports.join("\n")}

export interface Request${index} {
  id: string;
  items: string[];
}

export interface Stored${index} {
  key: string;
  value: number;
  updatedAt: Date;
}

const cache${index} = new Map<string, Stored${index}>();

async function load${index}(key: string): Promise<Stored${index} | undefined> {
  await Promise.resolve();
  return cache${index}.get(key);
}

async function save${index}(entry: Stored${index}): Promise<void> {
  cache${index}.set(entry.key, entry);
}

export class Service${index} {
  private readonly seen = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  async handle(input: Request${index}): Promise<number> {
    const existing = await load${index}(input.id);
    let total = existing?.value ?? 0;
    for (const item of input.items) {
      if (this.seen.has(item)) continue;
      this.seen.add(item);
      total += item.length;
      save${index}({ key: item, value: total, updatedAt: new Date() });
    }
    await save${index}({ key: input.id, value: total, updatedAt: new Date() });
    return total;
  }

  schedule(input: Request${index}): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.handle(input).catch((error) => console.error(error));
    }, 100);
  }

  async related(input: { id: number }): Promise<void> {
${uses.join("\n")}
  }

  summary(): string {
    const parts: string[] = [];
    for (const [key, entry] of cache${index}) {
      parts.push(\`\${key}=\${entry.value.toFixed(2)}@\${entry.updatedAt.toISOString()}\`);
    }
    return parts.sort().join(",");
  }
}

export function start${index}(): () => void {
  const service = new Service${index}();
  const interval = setInterval(async () => {
    await service.handle({ id: "tick", items: ["a", "b"] });
  }, 60_000);
  return () => clearInterval(interval);
}

export const ready${index} = (async () => {
  await load${index}("warm");
})();
`;
}
