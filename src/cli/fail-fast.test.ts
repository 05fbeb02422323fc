// "Fail before working": bad inputs and options are refused before a model is trained or loaded (the built CLI, fresh homes).
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeEmbeddings } from '../io/h5wasm-embedding-store.ts';
// A test helper shared with the server tests: a tiny registered model (random weights, 10 references).
import { randomFasta, registerTinyModel } from '../wiring/test-support/tiny-model.ts';
import { errorLines, runCli } from '../wiring/test-support/run-cli.ts';

/** PNG signature and IHDR chunk start: what a screenshot saved as proteins.fa begins with. */
const PNG_BYTES = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
  0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00, 0x5c, 0x72, 0xa8,
]);

let dir: string;
let inputs: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arginator-fail-fast-'));
  inputs = join(dir, 'inputs');
  await mkdir(inputs);
  await writeFile(join(inputs, 'screenshot.fa'), PNG_BYTES);
  await writeFile(join(inputs, 'ok.faa'), randomFasta(3, 5));
  await writeFile(join(inputs, 'fasta-named.h5'), randomFasta(3, 5));
  // Record 1 is protein, record 2 DNA: both are in the first chunk the check reads.
  await writeFile(
    join(inputs, 'dna-second.faa'),
    `${randomFasta(1, 5)}>contig_2\n${'ACGT'.repeat(40)}\n`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A new, empty data directory: no model registered, so predict would train one first. */
async function freshHome(): Promise<string> {
  return mkdtemp(join(dir, 'home-'));
}

/** Every file under the home (recursively): a trained model, run or cache would show up here. */
async function filesIn(home: string): Promise<string[]> {
  return (await readdir(home, { recursive: true })).map(String);
}

/** Exit code, nothing on stdout, one error line (no progress, no "training" line) with a fix. */
function expectRefused(
  r: { code: number | null; stdout: string; stderr: string },
  code: number,
): string {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(errorLines(r.stderr)).toEqual(lines);
  expect(lines[0]).toMatch(/^arginator: error: .+\. Fix: \S/);
  return lines[0] ?? '';
}

describe('arginator predict on a fresh home refuses a bad input before training a model', () => {
  it('a missing file: exit 3, empty stdout, one line with the fix, no model trained', async () => {
    const home = await freshHome();
    const r = await runCli(['predict', join(inputs, 'no-such-file.fa')], {
      env: { ARGINATOR_HOME: home },
      timeoutMs: 20_000,
    });
    const line = expectRefused(r, 3);
    expect(line).toContain("file '");
    expect(line).toContain('no-such-file.fa');
    expect(line).toContain('does not exist');
    expect(await filesIn(home)).toEqual([]);
  });

  it('a PNG named .fa: exit 3 saying it is a PNG image, no model trained', async () => {
    const home = await freshHome();
    const r = await runCli(
      ['predict', join(inputs, 'screenshot.fa'), '--out', join(dir, 'x.csv')],
      {
        env: { ARGINATOR_HOME: home },
        timeoutMs: 20_000,
      },
    );
    expect(expectRefused(r, 3)).toContain('the input is a PNG image, not FASTA text');
    expect(await filesIn(home)).toEqual([]);
    expect((await readdir(dir)).filter((f) => f.startsWith('x.csv'))).toEqual([]);
  });

  it('a folder, FASTA named .h5, or DNA in record 2: exit 3, no model trained', async () => {
    for (const [input, message] of [
      [inputs, 'is a directory'],
      [join(inputs, 'fasta-named.h5'), 'not an HDF5 file'],
      [join(inputs, 'dna-second.faa'), "record 'contig_2': sequence looks like DNA/RNA"],
    ] as const) {
      const home = await freshHome();
      const r = await runCli(['predict', input], {
        env: { ARGINATOR_HOME: home },
        timeoutMs: 20_000,
      });
      expect(expectRefused(r, 3)).toContain(message);
      expect(await filesIn(home)).toEqual([]);
    }
  });

  it('--out in a folder that does not exist, or a bad --threads: exit 2, no model trained', async () => {
    for (const [extra, message] of [
      [['--out', join(dir, 'no-such-folder', 'p.csv')], 'does not exist'],
      [['--threads', 'many'], '--threads must be a positive integer'],
    ] as const) {
      const home = await freshHome();
      const r = await runCli(['predict', join(inputs, 'ok.faa'), ...extra], {
        env: { ARGINATOR_HOME: home },
        timeoutMs: 20_000,
      });
      expect(expectRefused(r, 2)).toContain(message);
      expect(await filesIn(home)).toEqual([]);
    }
  });
});

describe('arginator predict: an input that fails after the check leaves no header-only table', () => {
  it('stdout stays empty when the first embedding has the wrong dimension', async () => {
    const home = await freshHome();
    const model = await registerTinyModel(home);
    // A valid HDF5 file (it passes the check), but 3-d vectors for a 1390-d model.
    await writeEmbeddings(join(inputs, 'wrong-dim.h5'), [
      { id: 'p1', vector: Float32Array.from([0.1, 0.2, 0.3]) },
    ]);
    const r = await runCli(
      ['predict', join(inputs, 'wrong-dim.h5'), '--model', model, '--threads', '1', '--quiet'],
      { env: { ARGINATOR_HOME: home }, timeoutMs: 30_000 },
    );
    expect(expectRefused(r, 3)).toContain("the embedding of 'p1' has 3 values");
  });

  it('a valid input still gets its header and rows on stdout', async () => {
    const home = await freshHome();
    const model = await registerTinyModel(home);
    const r = await runCli(
      ['predict', join(inputs, 'ok.faa'), '--model', model, '--threads', '1', '--quiet'],
      { env: { ARGINATOR_HOME: home }, timeoutMs: 30_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header).toMatch(/^protein_id,predicted_label,confidence_score,prob_betalactamase,/);
    expect(rows.map((row) => row.split(',')[0])).toEqual(['q0', 'q1', 'q2']);
  });
});

describe('the other commands check their inputs first too', () => {
  it('embed checks the input before opening the embedder (input error, not the model folder)', async () => {
    const r = await runCli(
      [
        'embed',
        join(inputs, 'screenshot.fa'),
        '--out',
        join(dir, 'e.h5'),
        '--embedder',
        'onnx',
        '--embedder-path',
        join(dir, 'no-such-model'),
      ],
      { timeoutMs: 20_000 },
    );
    expect(expectRefused(r, 3)).toContain('PNG image');
  });

  it('train with a missing dataset: exit 3 naming it, no model or run', async () => {
    const home = await freshHome();
    const r = await runCli(['train', `paths.dataset=${join(inputs, 'missing.fa')}`], {
      env: { ARGINATOR_HOME: home },
      timeoutMs: 20_000,
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe('');
    const lines = errorLines(r.stderr);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toContain('missing.fa');
    expect((await filesIn(home)).filter((f) => f.endsWith('.argm'))).toEqual([]);
  });

  it('start with a bad --port: exit 2 before training the default model', async () => {
    const home = await freshHome();
    const r = await runCli(['start', '--port', '99999', '--no-map'], {
      env: { ARGINATOR_HOME: home },
      timeoutMs: 20_000,
    });
    expect(expectRefused(r, 2)).toContain('--port must be a whole number from 0 to 65535');
    expect((await filesIn(home)).filter((f) => f.endsWith('.argm'))).toEqual([]);
  });
});
