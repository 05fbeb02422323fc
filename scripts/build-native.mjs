// `npm install` hook: builds the native addon (native/: GEMM, training, Smith-Waterman and seed kernels) with node-gyp; never fails the install (the JS kernels are the fallback).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = join(root, 'build', 'native-build.log');
// npm passes its bundled node-gyp in npm_config_node_gyp; run by hand, look for npm's copy next
// to node, and otherwise rely on PATH.
const bundled = join(
  dirname(process.execPath),
  '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
);
const gyp = process.env.npm_config_node_gyp || (existsSync(bundled) ? bundled : undefined);
const [cmd, args] = gyp ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
// Prefer the headers installed next to node (e.g. Debian's /usr/include/node) over a download,
// so the build works offline when npm's nodedir is not configured.
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const result = spawnSync(cmd, args, {
  cwd: root,
  encoding: 'utf8',
  shell: !gyp && process.platform === 'win32',
});
const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
try {
  mkdirSync(dirname(log), { recursive: true });
  writeFileSync(log, output);
} catch {
  // the log is a convenience; failing to write it must not fail the install
}
if (result.status === 0) {
  process.stderr.write(
    'arginator: native training kernels built (build/Release/arginator_kernels.node).\n',
  );
} else {
  process.stderr.write(
    `arginator: could not build the native training kernels (needs a C++ compiler and Python for node-gyp; see ${log}); training will use the slower JavaScript kernels.\n`,
  );
}
