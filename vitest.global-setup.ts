// Builds dist/ once before the tests, so CLI tests run the same JavaScript a user runs.
// Type errors do not stop the build here (tsc still emits); `npm run typecheck` is the gate for them.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

export default function setup(): void {
  const require = createRequire(import.meta.url);
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(`vitest global setup: tsc reported errors:\n${result.stdout}\n`);
  }
}
