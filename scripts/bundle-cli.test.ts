// The bundled CLI (scripts/bundle-cli.mjs) must carry every module a worker thread or child process
// is started from by a path relative to its caller: inside a chunk that path is dist/cli/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Names started by path: './x.ts' in a `new URL(…, import.meta.url)`, or startWorkerThread('x'). */
function startedModules(): string[] {
  const names = new Set<string>();
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/'\.\/([\w-]+)\.ts'\s*:\s*'\.\/\1\.js'/g)) {
      names.add(m[1] as string);
    }
    for (const m of text.matchAll(/startWorkerThread\('([\w-]+)'/g)) {
      names.add(m[1] as string);
    }
  }
  return [...names].sort();
}

describe('the bundled CLI', () => {
  it('finds the worker modules it starts', () => {
    const names = startedModules();
    expect(names).toEqual(
      expect.arrayContaining(['embed-worker', 'job-worker', 'sweep-trial-main', 'umap-fit-worker']),
    );
    const bundle = readFileSync(join(ROOT, 'scripts', 'bundle-cli.mjs'), 'utf8');
    for (const name of names) {
      expect(bundle, `${name} is not an entry of scripts/bundle-cli.mjs`).toMatch(
        new RegExp(`/${name}\\.js'`),
      );
    }
    // Built by `npm run build` (CI builds before testing, so there it must be): each sits next to
    // the chunks.
    const built = existsSync(join(ROOT, 'dist', 'cli', 'bin.js'));
    if (process.env['CI'] === 'true') {
      expect(built, 'dist/cli/bin.js is missing: did `npm ci` run the build?').toBe(true);
    }
    if (built) {
      for (const name of names) {
        expect(existsSync(join(ROOT, 'dist', 'cli', `${name}.js`)), name).toBe(true);
      }
      expect(readdirSync(join(ROOT, 'dist', 'cli')).some((n) => n.startsWith('chunk-'))).toBe(true);
    }
  });
});
