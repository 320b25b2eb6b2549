import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
const packageJson = (folder: string) =>
  JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8')) as {
    name: string;
    exports?: Record<string, unknown>;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };

/** The layers of docs/architecture.md: a package may import only the ones listed for it. */
const ALLOWED: Record<string, string[]> = {
  '@kipper/kube-sim': [],
  '@kipper/kube': ['@kipper/kube-sim'],
  '@kipper/core': ['@kipper/kube'],
  '@kipper/api': ['@kipper/core', '@kipper/kube', '@kipper/kube-sim'],
  '@kipper/worker': ['@kipper/core', '@kipper/kube'],
  '@kipper/client': ['@kipper/schema'],
  '@kipper/cli': ['@kipper/client', '@kipper/schema'],
  '@kipper/console': ['@kipper/client', '@kipper/schema'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(path);
    return /\.(ts|svelte|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(@kipper\/[^']+)'/g)].map((m) => m[1]!);

describe('package walls', () => {
  const folders = rootPackage.workspaces.filter((folder) => folder !== 'test');

  it('no package exports ./*: each has deliberate entry points', () => {
    for (const folder of folders) {
      expect(Object.keys(packageJson(folder).exports ?? {}), folder).not.toContain('./*');
    }
  });

  it('source code imports only the layers below it, through their entry points', () => {
    const wrong: string[] = [];
    for (const folder of folders) {
      const { name } = packageJson(folder);
      const allowed = ALLOWED[name];
      if (!allowed) continue;
      const src = join(ROOT, folder, 'src');
      if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
      for (const file of sourceFiles(src)) {
        for (const specifier of importsOf(file)) {
          const [scope, pkg, ...rest] = specifier.split('/');
          const target = `${scope}/${pkg}`;
          const subpath = rest.length ? `./${rest.join('/')}` : '.';
          const targetFolder = folders.find((f) => packageJson(f).name === target);
          const entryPoints = targetFolder ? Object.keys(packageJson(targetFolder).exports ?? {}) : [];
          if (target !== name && !allowed.includes(target)) wrong.push(`${relative(ROOT, file)} imports ${specifier} (not a layer below ${name})`);
          else if (!entryPoints.includes(subpath)) wrong.push(`${relative(ROOT, file)} imports ${specifier} (not an entry point of ${target})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the worker does not depend on the api', () => {
    const { dependencies = {}, devDependencies = {} } = packageJson('worker');
    expect(Object.keys({ ...dependencies, ...devDependencies })).not.toContain('@kipper/api');
  });
});
