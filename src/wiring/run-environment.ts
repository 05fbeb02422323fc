// Facts recorded with every run: package version, git commit (if any), and the environment that ran it.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, platform, release } from 'node:os';

import { PACKAGE_ROOT, PACKAGE_VERSION } from './package-info.ts';

export function gitCommit(): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    }).trim();
    return /^[0-9a-f]{40}$/.test(out) ? `${out}${dirty === '' ? '' : '+dirty'}` : undefined;
  } catch {
    return undefined;
  }
}

export function runEnvironment(extra: Record<string, string> = {}): {
  packageVersion: string;
  gitCommit?: string;
  environment: Record<string, string>;
} {
  const commit = gitCommit();
  return {
    packageVersion: PACKAGE_VERSION,
    ...(commit === undefined ? {} : { gitCommit: commit }),
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
