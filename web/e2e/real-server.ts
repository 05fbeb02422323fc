// Runs the real `arginator` (dist/cli/bin.js) for the browser tests and screenshots: train, serve, predict.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

import { MULTICLASS_LABELS } from '../../src/core/domain.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO_ROOT, 'dist/cli/bin.js');

/**
 * Builds the UI with the repo's Vite, so the tests see the current source: into web/dist (what
 * `arginator serve` serves), or into `outDir` so test files running in parallel do not race.
 */
export function buildWeb(outDir?: string): void {
  const vite = join(REPO_ROOT, 'node_modules/vite/bin/vite.js');
  const out = outDir === undefined ? [] : ['--outDir', outDir, '--emptyOutDir'];
  const r = spawnSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn', ...out], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(`vite build web failed:\n${r.stdout}\n${r.stderr}`);
  }
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `arginator ...args` with its own ARGINATOR_HOME and returns its output. */
export function arginator(
  home: string,
  args: readonly string[],
  timeoutMs = 120_000,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ARGINATOR_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`arginator ${args.join(' ')} took over ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A quick model (3 epochs, the shipped cluster split) registered in `home`. */
export async function trainQuickModel(home: string, extra: readonly string[] = []): Promise<void> {
  const r = await arginator(home, [
    'train',
    'experiment.epochs=3',
    'split.clusters=data/default/derived/clusters-cdhit40.tsv',
    ...extra,
    '--quiet',
  ]);
  if (r.code !== 0) {
    throw new Error(`arginator train exited ${String(r.code)}:\n${r.stderr}`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  readonly url: string;
  /** What the server wrote (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Spawns `arginator serve --port <free> --host 127.0.0.1` and waits until /readyz answers 200. */
export async function startServer(home: string, timeoutMs = 60_000): Promise<RunningServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ARGINATOR_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  // An object, so the checks in the loop below see the change made by the event handler.
  const state = { exited: false };
  child.on('exit', () => (state.exited = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (state.exited) {
      return;
    }
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (state.exited) {
      throw new Error(`arginator serve exited before it was ready:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) {
        break;
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`arginator serve was not ready within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, output: () => log, stop };
}

/**
 * A query FASTA from the shipped data: `perClass` proteins of each class (spread over the file),
 * ids without the label suffix, plus two shuffled sequences that should look novel.
 */
export function writeQueryFasta(path: string, perClass: number): string[] {
  const text = gunzipSync(readFileSync(join(REPO_ROOT, 'data/default/default.fasta.gz'))).toString(
    'utf8',
  );
  const records: { id: string; label: string; seq: string }[] = [];
  for (const block of text.split('>').slice(1)) {
    const [header = '', ...lines] = block.split('\n');
    const [id = '', label = ''] = header.trim().split(/\s+/)[0]?.split('|') ?? [];
    records.push({ id, label, seq: lines.join('').trim() });
  }
  const picked: typeof records = [];
  for (const label of MULTICLASS_LABELS) {
    const of = records.filter((r) => r.label === label);
    const step = Math.max(1, Math.floor(of.length / perClass));
    for (let i = 0; i < perClass && i * step < of.length; i += 1) {
      const r = of[i * step];
      if (r !== undefined) {
        picked.push(r);
      }
    }
  }
  // Deterministic shuffles of two picked proteins: same composition, no homology.
  for (const [n, r] of picked.slice(0, 2).entries()) {
    const chars = Array.from(r.seq);
    let s = 12345 + n;
    for (let i = chars.length - 1; i > 0; i -= 1) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const j = s % (i + 1);
      [chars[i], chars[j]] = [chars[j] ?? 'X', chars[i] ?? 'X'];
    }
    picked.push({ id: `shuffled_${n + 1}`, label: '', seq: chars.join('') });
  }
  writeFileSync(path, picked.map((r) => `>${r.id} query\n${r.seq}\n`).join(''));
  return picked.map((r) => r.id);
}
