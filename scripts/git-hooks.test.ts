// The opt-in pre-commit hook (`npm run hooks`): simple-git-hooks installs it, lint-staged formats and lints staged files, an unfixable lint error stops the commit.
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));
// What the hook needs from the project: the two configs, the formatter's and the linter's.
const FILES = [
  'package.json',
  '.simple-git-hooks.json',
  '.lintstagedrc.json',
  '.prettierrc.json',
  '.prettierignore',
  'eslint.config.js',
];
const haveGit = spawnSync('git', ['--version']).status === 0;

let dir = '';
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.org',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.org',
  // The hook must run: the user's own skip switch would make this test pass without it.
  SKIP_SIMPLE_GIT_HOOKS: '',
};
// npm is npm.cmd on Windows, which Node spawns only through a shell.
const run = (cmd: string, args: string[]): SpawnSyncReturns<string> =>
  spawnSync(cmd, args, {
    cwd: dir,
    encoding: 'utf8',
    env: GIT_ENV,
    shell: cmd === 'npm' && process.platform === 'win32',
  });
const git = (...args: string[]): SpawnSyncReturns<string> => run('git', args);

beforeAll(() => {
  if (!haveGit) {
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'git-hooks-'));
  for (const f of FILES) {
    copyFileSync(join(REPO, f), join(dir, f));
  }
  // A junction on Windows (no privilege needed); the type is ignored elsewhere.
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'junction');
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
  expect(git('init', '-q', '-b', 'main').status).toBe(0);
  expect(git('add', '.').status).toBe(0);
  expect(git('commit', '-q', '--no-verify', '-m', 'project files').status).toBe(0);
});

afterAll(() => {
  if (dir !== '') {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe.skipIf(!haveGit)('pre-commit hook (simple-git-hooks + lint-staged)', () => {
  it('npm run hooks installs a pre-commit hook that runs lint-staged', () => {
    const install = run('npm', ['run', '--silent', 'hooks']);
    expect(install.status, install.stderr).toBe(0);
    const hook = join(dir, '.git', 'hooks', 'pre-commit');
    expect(existsSync(hook)).toBe(true);
    expect(readFileSync(hook, 'utf8')).toContain('npx --no -- lint-staged');
  });

  it('formats and fixes staged files before they are committed', () => {
    writeFileSync(join(dir, 'notes.md'), '# Notes\n* one\n* two\n');
    writeFileSync(
      join(dir, 'tool.mjs'),
      'import process from \'node:process\';\nconst x = Number(process.argv[2])\nif (x) process.stdout.write("big")\n',
    );
    git('add', 'notes.md', 'tool.mjs');
    const commit = git('commit', '-q', '-m', 'notes and tool');
    expect(commit.status, commit.stderr + commit.stdout).toBe(0);
    // prettier's list markers and quotes, eslint's `curly` fix: in the commit, not only on disk.
    expect(git('show', 'HEAD:notes.md').stdout).toBe('# Notes\n\n- one\n- two\n');
    expect(git('show', 'HEAD:tool.mjs').stdout).toBe(
      "import process from 'node:process';\nconst x = Number(process.argv[2]);\nif (x) {\n  process.stdout.write('big');\n}\n",
    );
  }, 180_000);

  it('an error eslint cannot fix stops the commit', () => {
    const before = git('rev-parse', 'HEAD').stdout;
    writeFileSync(join(dir, 'broken.mjs'), 'export const y = undefinedName;\n');
    git('add', 'broken.mjs');
    const commit = git('commit', '-q', '-m', 'broken');
    expect(commit.status).not.toBe(0);
    expect(commit.stdout + commit.stderr).toMatch(/'undefinedName' is not defined/);
    expect(git('rev-parse', 'HEAD').stdout).toBe(before);
  }, 180_000);
});
