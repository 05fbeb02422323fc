// `arginator validate` end to end on fixtures the test writes (FASTA, split.json, h5py class folders) and on the shipped set;
// `arginator train` refusing a dataset that fails validation.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createRng } from '../core/rng.ts';
import { h5pyAvailable, MAKE_FOLDER, PYTHON } from '../io/test-support/h5py.ts';
import { randomProtein } from '../wiring/test-support/tiny-model.ts';
import { errorLines, runCli } from '../wiring/test-support/run-cli.ts';

vi.setConfig({ testTimeout: 120_000 });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arginator-validate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({ ARGINATOR_HOME: join(dir, 'home') });

interface Summary {
  passed: boolean;
  failed_rules: string[];
  warning_rules: string[];
  rules: {
    rule: string;
    status: string;
    count: number;
    findings: { ids: string[]; message: string }[];
  }[];
  report: { markdown: string; html: string; json: string };
}

const ruleOf = (s: Summary, name: string) => s.rules.find((r) => r.rule === name);

/** 40 unrelated labelled proteins (8 per class), then `extra` records. */
function fasta(extra: string[] = [], seed = 3): { text: string; sequences: string[] } {
  const rng = createRng(seed);
  const labels = ['A', 'B', 'C', 'D', 'NBL'];
  const sequences = Array.from({ length: 40 }, (_, i) => randomProtein(rng, 180 + (i % 9) * 4));
  const text =
    sequences.map((s, i) => `>p${i}|${labels[i % 5] ?? 'A'}\n${s}\n`).join('') + extra.join('');
  return { text, sequences };
}

describe('arginator validate', () => {
  it('passes a clean FASTA and writes the Markdown, HTML and JSON reports with plots', async () => {
    const path = join(dir, 'clean.faa');
    await writeFile(path, fasta().text);
    const report = join(dir, 'clean-report');
    const r = await runCli(['validate', path, '--report', report, '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.passed).toBe(true);
    expect(s.failed_rules).toEqual([]);
    expect(s.report.html).toBe(join(report, 'report.html'));
    const md = await readFile(join(report, 'report.md'), 'utf8');
    expect(md).toContain('**Verdict:** passed');
    expect(md).toContain('![Beta-lactamases vs not');
    const html = await readFile(join(report, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    for (const f of [
      'plots/classes-binary.png',
      'plots/classes.svg',
      'plots/lengths.png',
      'summary.json',
    ]) {
      expect(existsSync(join(report, f)), f).toBe(true);
    }
  });

  it('finds planted duplicates and a planted train/test leak (exit 4)', async () => {
    const base = fasta();
    const s0 = base.sequences[0] ?? '';
    const s1 = base.sequences[1] ?? '';
    // A 96% identical copy of p1: every 25th residue changed.
    const near = Array.from(s1, (c, i) => (i % 25 === 24 ? (c === 'W' ? 'Y' : 'W') : c)).join('');
    const path = join(dir, 'planted.faa');
    await writeFile(path, base.text + `>dup0|A\n${s0}\n>leak1|B\n${near}\n`);
    const split = join(dir, 'split.json');
    const ids = Array.from({ length: 40 }, (_, i) => `p${i}`);
    await writeFile(
      split,
      JSON.stringify({
        train: ids.slice(0, 30),
        val: ids.slice(30, 35),
        test: [...ids.slice(35), 'dup0', 'leak1'],
      }),
    );
    const r = await runCli(['validate', path, '--split', split, '--json', '--quiet'], {
      env: env(),
    });
    expect(r.code, r.stderr).toBe(4);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.passed).toBe(false);
    expect(s.failed_rules).toEqual(['duplicate_sequences', 'split_leakage']);
    expect(ruleOf(s, 'duplicate_sequences')?.findings[0]?.ids.sort()).toEqual(['dup0', 'p0']);
    const leaks = ruleOf(s, 'split_leakage')?.findings.map((f) => f.message) ?? [];
    expect(leaks).toHaveLength(2);
    expect(leaks[0]).toContain('identical sequences on different sides: p0 (train), dup0 (test)');
    expect(leaks[1]).toMatch(/test protein 'leak1' is 96\.\d% identical to train protein 'p1'/);
    // Without the split the near copy is only a warning, the identical one still an error.
    const noSplit = await runCli(['validate', path, '--json', '--quiet'], { env: env() });
    expect(noSplit.code).toBe(4);
    const n = JSON.parse(noSplit.stdout) as Summary;
    expect(n.failed_rules).toEqual(['duplicate_sequences']);
    expect(n.warning_rules).toContain('near_duplicates');
    // A rule set to warning no longer fails.
    const relaxed = await runCli(
      ['validate', path, 'validation.rules.duplicate_sequences=warning', '--quiet'],
      { env: env() },
    );
    expect(relaxed.code, relaxed.stderr).toBe(0);
  });

  it('finds a class under 10% (exit 4) and one line on stderr names the report', async () => {
    const rng = createRng(4);
    const text = Array.from(
      { length: 30 },
      (_, i) => `>q${i}|${i < 2 ? 'A' : 'NBL'}\n${randomProtein(rng, 150)}\n`,
    ).join('');
    const path = join(dir, 'imbalanced.faa');
    await writeFile(path, text);
    const r = await runCli(['validate', path], { env: env() });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain("class 'Betalactamase' has 2 of 30 proteins (6.7%), below 10%");
    expect(r.stderr).toMatch(/validation failed: class_balance \(1\); report: .*report\.html\n$/);
    const lower = await runCli(
      ['validate', path, 'validation.min_class_fraction=0.05', '--quiet'],
      { env: env() },
    );
    expect(lower.code).toBe(0);
  });

  it('finds a NaN vector and a wrong-dimension vector in per-class HDF5 folders written by h5py', async () => {
    if (!h5pyAvailable()) {
      return;
    }
    for (const bad of ['nan', 'dim'] as const) {
      const folder = join(dir, `folder-${bad}`);
      const made = spawnSync(
        PYTHON,
        [
          MAKE_FOLDER,
          folder,
          join(dir, `q-${bad}.h5`),
          '--bad',
          bad,
          '--dim',
          '32',
          '--per-family',
          '3',
          '--families',
          '2',
        ],
        { encoding: 'utf8' },
      );
      expect(made.status, made.stderr).toBe(0);
      const r = await runCli(['validate', folder, '--json', '--quiet'], { env: env() });
      expect(r.code, r.stderr).toBe(4);
      const s = JSON.parse(r.stdout) as Summary;
      if (bad === 'nan') {
        expect(s.failed_rules).toEqual(['finite']);
        expect(ruleOf(s, 'finite')?.findings.map((f) => f.ids)).toEqual([['B_f1_p01']]);
        expect(ruleOf(s, 'finite')?.findings[0]?.message).toContain(
          '1 NaN and 0 infinite values (first at index 17)',
        );
      } else {
        expect(s.failed_rules).toEqual(['dimensions']);
        // Every D vector has 16 values; the other 24 have 32.
        expect(ruleOf(s, 'dimensions')?.count).toBe(6);
        expect(ruleOf(s, 'dimensions')?.findings[0]?.message).toContain('16 values, not 32');
      }
    }
    // The single queries file (one HDF5 file, unlabelled) is clean.
    const q = await runCli(['validate', join(dir, 'q-nan.h5'), '--json', '--quiet'], {
      env: env(),
    });
    expect(q.code, q.stderr).toBe(0);
    expect(ruleOf(JSON.parse(q.stdout) as Summary, 'class_balance')?.status).toBe('skipped');
  });

  it('lists every invalid residue (the strict reader stops at the first) and labels outside the task', async () => {
    const base = fasta();
    const path = join(dir, 'residues.faa');
    await writeFile(path, base.text + '>bad1|A\nMKV1LAGH\nQ#RS\n>bad2|E\nMKLLVAAGT*QW\n');
    const r = await runCli(['validate', path, '--json', '--quiet'], { env: env() });
    expect(r.code, r.stderr).toBe(4);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.failed_rules).toEqual(['unknown_labels', 'invalid_residues']);
    expect(ruleOf(s, 'invalid_residues')?.findings.map((f) => f.message)).toEqual([
      "'bad1': 2 characters that are not amino acids ('1', '#'; first at position 4)",
      "'bad2': 1 characters that are not amino acids ('*'; first at position 10)",
    ]);
    expect(ruleOf(s, 'unknown_labels')?.findings[0]?.ids).toEqual(['bad2']);
  });

  it('passes the shipped dataset', async () => {
    const r = await runCli(['validate', 'data/default/default.fasta.gz', '--json', '--quiet'], {
      env: env(),
    });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.passed).toBe(true);
    expect(ruleOf(s, 'duplicate_sequences')?.status).toBe('pass');
    expect(ruleOf(s, 'class_balance')?.status).toBe('pass');
    expect(ruleOf(s, 'unknown_labels')?.status).toBe('pass');
  });

  it('gives one line and exit 3 for bad input, exit 2 for bad usage', async () => {
    const missing = await runCli(['validate', join(dir, 'nope.faa')], { env: env() });
    expect(missing.code).toBe(3);
    expect(errorLines(missing.stderr)).toHaveLength(1);
    expect(errorLines(missing.stderr)[0]).toMatch(/nope\.faa: the input does not exist\. Fix: /);
    const binary = join(dir, 'binary.faa');
    await writeFile(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
    const b = await runCli(['validate', binary], { env: env() });
    expect(b.code).toBe(3);
    expect(errorLines(b.stderr)).toHaveLength(1);
    const split = await runCli(['validate', binary, '--split', join(dir, 'nosplit.json')], {
      env: env(),
    });
    expect(split.code).toBe(3);
    expect(errorLines(split.stderr)[0]).toContain('the split file cannot be read');
    const usage = await runCli(['validate'], { env: env() });
    expect(usage.code).toBe(2);
    expect(errorLines(usage.stderr)).toHaveLength(1);
  });
});

describe('arginator train validates first', () => {
  it('refuses a dataset that fails (exit 4, one line with the report), trains with --no-validate', async () => {
    const base = fasta([], 8);
    const path = join(dir, 'train-dup.faa');
    await writeFile(path, base.text + `>dup|A\n${base.sequences[0] ?? ''}\n`);
    const home = { ARGINATOR_HOME: join(dir, 'train-home') };
    const r = await runCli(
      ['train', `paths.dataset=${path}`, 'split=stratified', 'experiment.epochs=1', '--no-map'],
      { env: home },
    );
    expect(r.code, r.stderr).toBe(4);
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /failed validation: duplicate_sequences \(1\); report: .*report\.html\. Fix: .*--no-validate/,
    );
    expect(existsSync(join(dir, 'train-home', 'models'))).toBe(false);
    const forced = await runCli(
      [
        'train',
        `paths.dataset=${path}`,
        'split=stratified',
        'experiment.epochs=1',
        '--no-map',
        '--no-validate',
        '--json',
      ],
      { env: home, timeoutMs: 120_000 },
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).not.toContain('validating');
  });
});
