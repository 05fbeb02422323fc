// The catalog on disk: the first format is read (and migrated on the next write), aliases move with history, rollback walks it back.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { GateReport } from '../pipeline/model-catalog.ts';
import { FsModelRegistry } from './fs-model-registry.ts';

async function registry(): Promise<FsModelRegistry> {
  return new FsModelRegistry(await mkdtemp(join(tmpdir(), 'arginator-registry-')));
}

const artifact = (n: number): Uint8Array => Uint8Array.of(n, n, n);

function gate(version: string, passed: boolean): GateReport {
  return {
    version,
    alias: 'champion:multiclass',
    baseline: undefined,
    at: '2026-01-01T00:00:00.000Z',
    passed,
    forced: false,
    reasons: passed ? [] : ['test F1 too low'],
    quality: {
      split: 's.json',
      proteins: 3,
      metric: 'macro_f1',
      candidate: 0.5,
      baseline: undefined,
      tolerance: 0.01,
      passed,
    },
    latency: {
      proteins: 1,
      runs: 1,
      candidateMs: 1,
      baselineMs: undefined,
      maxMs: 10,
      passed: true,
    },
  };
}

describe('FsModelRegistry', () => {
  it('reads a registry of the first format and keeps latest:<task> working', async () => {
    const r = await registry();
    // As written before tags, gates and history existed.
    await writeFile(
      join(r.dir, 'registry.json'),
      JSON.stringify({
        models: [
          {
            version: 'v1',
            runId: 'run',
            task: 'multiclass',
            createdAt: '2026-01-01T00:00:00.000Z',
            file: 'v1.argm',
            sha256: 'ab',
            bytes: 3,
            metrics: { f1: 0.9 },
          },
        ],
        aliases: { 'latest:multiclass': 'v1' },
      }),
    );
    const index = await r.index();
    expect(index.models[0]).toMatchObject({ version: 'v1', tags: {}, gates: [] });
    expect(index.history).toEqual([]);
    expect((await r.resolve('latest:multiclass')).path).toBe(join(r.dir, 'v1.argm'));
    expect((await r.resolve('multiclass')).version).toBe('v1');
    // The next write is in the new format, with the old entry intact.
    await r.register({ artifact: artifact(2), runId: 'r2', task: 'multiclass', metrics: {} });
    const written = JSON.parse(await readFile(join(r.dir, 'registry.json'), 'utf8')) as {
      format: number;
      models: { version: string; metrics: unknown }[];
    };
    expect(written.format).toBe(2);
    expect(written.models.map((m) => m.version)).toEqual(['v1', 'v2']);
    expect(written.models[0]?.metrics).toEqual({ f1: 0.9 });
  });

  it('moves an alias with history, resolves its bare name, and rolls back move by move', async () => {
    const r = await registry();
    for (let i = 1; i <= 3; i++) {
      await r.register({ artifact: artifact(i), runId: `r${i}`, task: 'multiclass', metrics: {} });
    }
    await r.setAlias('champion:multiclass', 'v1', { gate: gate('v1', true) });
    await r.setAlias('champion:multiclass', 'v2', {});
    await r.setAlias('champion:multiclass', 'v3', {});
    expect((await r.resolve('champion')).version).toBe('v3');
    expect((await r.index()).models[0]?.gates).toHaveLength(1);
    expect(await r.rollback('champion:multiclass')).toEqual({ from: 'v3', to: 'v2' });
    expect(await r.rollback('champion:multiclass')).toEqual({ from: 'v2', to: 'v1' });
    // Back before the first promotion: the alias is unset (serving falls back to latest).
    expect(await r.rollback('champion:multiclass')).toEqual({ from: 'v1', to: undefined });
    expect((await r.index()).aliases['champion:multiclass']).toBeUndefined();
    await expect(r.rollback('champion:multiclass')).rejects.toMatchObject({
      reason: 'registry.nothing-to-roll-back',
    });
    // A promotion after rollbacks is rolled back to where the rollbacks left the alias.
    await r.setAlias('champion:multiclass', 'v2', {});
    await r.setAlias('champion:multiclass', 'v3', {});
    expect(await r.rollback('champion:multiclass')).toEqual({ from: 'v3', to: 'v2' });
    const history = (await r.index()).history;
    expect(history.filter((e) => e.action === 'rollback')).toHaveLength(4);
  });

  it('tags versions (an empty value removes one), records refused gates, and refuses an ambiguous bare alias', async () => {
    const r = await registry();
    await r.register({ artifact: artifact(1), runId: 'a', task: 'multiclass', metrics: {} });
    await r.register({ artifact: artifact(2), runId: 'b', task: 'binary', metrics: {} });
    expect((await r.tag('v1', { stage: 'prod', owner: 'ana' })).tags).toEqual({
      stage: 'prod',
      owner: 'ana',
    });
    expect((await r.tag('v1', { owner: '' })).tags).toEqual({ stage: 'prod' });
    await r.recordGate(gate('v2', false));
    expect((await r.resolve('v2')).gates[0]?.passed).toBe(false);
    await r.setAlias('champion:multiclass', 'v1', {});
    await r.setAlias('champion:binary', 'v2', {});
    await expect(r.resolve('champion')).rejects.toMatchObject({
      reason: 'registry.ambiguous-alias',
    });
    expect((await r.resolve('champion:binary')).version).toBe('v2');
    await expect(r.tag('v9', { a: 'b' })).rejects.toMatchObject({
      reason: 'registry.unknown-model',
    });
  });

  it('serialises concurrent changes in one process (none is lost)', async () => {
    const r = await registry();
    const registered = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        r.register({ artifact: artifact(i), runId: `r${i}`, task: 'multiclass', metrics: {} }),
      ),
    );
    expect(new Set(registered.map((x) => x.version)).size).toBe(8);
    expect((await r.index()).models).toHaveLength(8);
  });
});
