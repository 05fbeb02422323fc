// Facts recorded with every run: package version, git commit (if any), and the environment that ran it.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, platform, release } from 'node:os';

import { PACKAGE_ROOT, PACKAGE_VERSION } from './package-info.ts';

/** The checkout's HEAD and whether tracked files changed; undefined outside a git checkout (never throws). */
export function gitState(
  cwd: string = PACKAGE_ROOT,
): { commit: string; dirty: boolean } | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    }).trim();
    if (!/^[0-9a-f]{40}$/.test(out)) {
      return undefined;
    }
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    }).trim();
    return { commit: out, dirty: dirty !== '' };
  } catch {
    return undefined;
  }
}

/** "sha" or "sha+dirty": the one-field form run.json kept before issue 14 (still written). */
export function gitCommit(cwd: string = PACKAGE_ROOT): string | undefined {
  const git = gitState(cwd);
  return git === undefined ? undefined : `${git.commit}${git.dirty ? '+dirty' : ''}`;
}

export function runEnvironment(
  extra: Record<string, string> = {},
  cwd: string = PACKAGE_ROOT,
): {
  packageVersion: string;
  gitCommit?: string;
  git?: { commit: string; dirty: boolean };
  environment: Record<string, string>;
} {
  const git = gitState(cwd);
  return {
    packageVersion: PACKAGE_VERSION,
    ...(git === undefined ? {} : { gitCommit: `${git.commit}${git.dirty ? '+dirty' : ''}`, git }),
    environment: {
      node: process.version,
      platform: `${platform()} ${release()}`,
      arch: process.arch,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: String(availableParallelism()),
      ...extra,
    },
  };
}
