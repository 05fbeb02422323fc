// A quiet, honest install: every locked package admits our minimum Node, install scripts are declared, no unknown npm config.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
  hasInstallScript?: boolean;
  resolved?: string;
  dev?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
}
interface Manifest {
  engines: { node: string };
  allowScripts?: Record<string, boolean>;
  overrides?: Record<string, string>;
}

// semver ships no types; it is a devDependency (and fastify's own dependency) in node_modules.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
/** The installed packages of the lock ("" is the project itself). */
const locked = Object.entries(lock.packages).filter(([path]) => path !== '');
const nameOf = (path: string): string => path.slice(path.lastIndexOf('node_modules/') + 13);

describe('install policy (package.json, package-lock.json, .npmrc)', () => {
  it("every locked package's engines.node admits the minimum Node of package.json", () => {
    const minimum = semver.minVersion(manifest.engines.node)?.version ?? 'none';
    expect(minimum).toBe('20.19.0');
    // Old packages may still carry the obsolete array form of engines; only the object form counts.
    const refusing = locked
      .map(([path, e]) => [path, e.version, Array.isArray(e.engines) ? undefined : e.engines?.node])
      .filter(([, , range]) => range !== undefined && !semver.satisfies(minimum, range))
      .map(([path, version, range]) => `${path}@${version ?? '?'} needs Node ${range ?? ''}`);
    // Fix: pin a release that admits Node 20 in package.json "overrides" (docs/install.md).
    expect(refusing).toEqual([]);
  });

  it('every install script in the lock is approved or denied in allowScripts, and no entry is stale', () => {
    const policy = manifest.allowScripts ?? {};
    const withScripts = new Set(
      locked.filter(([, e]) => e.hasInstallScript).map(([p]) => nameOf(p)),
    );
    expect([...withScripts].filter((name) => !(name in policy))).toEqual([]);
    expect(Object.keys(policy).filter((key) => !withScripts.has(key))).toEqual([]);
  });

  it('allowScripts keys are bare names: the lock has no resolved URLs, which pkg@version needs', () => {
    // npm matches a pinned entry against the version in the lock's `resolved` URL only.
    expect(locked.filter(([, e]) => e.resolved !== undefined)).toEqual([]);
    expect(Object.keys(manifest.allowScripts ?? {}).filter((k) => /.@/.test(k))).toEqual([]);
  });

  it("onnxruntime-node's postinstall (an optional CUDA download) is denied: its CPU binary is in the package", () => {
    expect(manifest.allowScripts?.['onnxruntime-node']).toBe(false);
    const binding = join(
      ROOT,
      'node_modules/onnxruntime-node/bin/napi-v6',
      process.platform,
      process.arch,
      'onnxruntime_binding.node',
    );
    expect(existsSync(binding), binding).toBe(true);
  });

  it('npm reads no unknown keys from the project .npmrc', () => {
    const npm = spawnSync('npm', ['config', 'get', 'registry'], { cwd: ROOT, encoding: 'utf8' });
    expect(npm.status, npm.stderr).toBe(0);
    expect(npm.stderr).not.toMatch(/Unknown project config/i);
  });
});
