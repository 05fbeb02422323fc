// Builds dist/ once before the tests, so CLI tests run the same JavaScript a user runs, and web/dist
// when it is missing or older than the UI's sources (server and e2e tests serve it).
// Type errors do not stop the build here (tsc still emits); `npm run typecheck` is the gate for them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const WEB = join(ROOT, 'web');

/** Newest modification time (ms) of a file or of the files under a folder (tests are not built). */
function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) {
    return path.endsWith('.test.ts') ? 0 : s.mtimeMs;
  }
  return readdirSync(path).reduce((t, name) => Math.max(t, newest(join(path, name))), 0);
}

/** web/dist is stale when a source of the UI is newer than its index.html (what vite writes). */
export function webBuildNeeded(web: string): boolean {
  const built = join(web, 'dist', 'index.html');
  if (!existsSync(built)) {
    return true;
  }
  const sources = ['src', 'index.html', 'vite.config.ts'].map((p) => join(web, p));
  const changed = Math.max(...sources.filter((p) => existsSync(p)).map(newest));
  return changed > statSync(built).mtimeMs;
}

export default function setup(): void {
  const require = createRequire(import.meta.url);
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(`vitest global setup: tsc reported errors:\n${result.stdout}\n`);
  }
  if (webBuildNeeded(WEB)) {
    // vite's own bin, as `npm run build:web` runs it (a few seconds).
    const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    const web = spawnSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (web.status !== 0) {
      process.stderr.write(`vitest global setup: the web UI build failed:\n${web.stderr}\n`);
    }
  }
}
