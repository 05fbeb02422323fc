// `arginator models` end to end (the built CLI): list, a refused promotion's exit code and one-line reason, force, tag, rollback.
import { describe, expect, it } from 'vitest';

import { gateHome } from '../wiring/test-support/gate-home.ts';
import { errorLines, runCli } from '../wiring/test-support/run-cli.ts';

describe('arginator models', () => {
  it('promotes through the gate, refuses a worse model (exit 3, one line), forces, tags and rolls back', async () => {
    const { home, split, dataset } = await gateHome();
    const env = { ARGINATOR_HOME: home };
    const gate = [`registry.gate_split=${split}`, `paths.dataset=${dataset}`];
    const first = await runCli(['models', 'promote', 'v1', ...gate, '--quiet'], { env });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/→ champion:multiclass: passed \(no holder to compare with\)/);

    const refused = await runCli(['models', 'promote', 'v2', ...gate, '--quiet'], { env });
    expect(refused.code).toBe(3);
    const errors = errorLines(refused.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^arginator: error: promotion of v2 to champion:multiclass refused: test F1 0\.\d+ is more than 0\.01 below v1's 1\.0000/,
    );

    const forced = await runCli(['models', 'promote', 'v2', ...gate, '--force', '--json'], { env });
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ version: 'v2', passed: false, forced: true });
    // Every gate is a tracked run of kind promotion-gate, refused ones included.
    const gates = await runCli(['runs', 'list', '--kind', 'promotion-gate', '--json'], { env });
    const gateRuns = JSON.parse(gates.stdout) as {
      status: string;
      tags: Record<string, string>;
      summary: { passed: boolean; forced: boolean };
    }[];
    expect(gateRuns.map((r) => [r.tags['candidate'], r.status, r.summary.passed])).toEqual([
      ['v1', 'finished', true],
      ['v2', 'finished', false],
      ['v2', 'finished', false],
    ]);
    expect(gateRuns[2]?.summary.forced).toBe(true);

    expect((await runCli(['models', 'tag', 'v2', 'stage=prod'], { env })).code).toBe(0);
    const list = await runCli(['models', 'list', '--json'], { env });
    const models = JSON.parse(list.stdout) as {
      version: string;
      aliases: string[];
      tags: Record<string, string>;
      gates: unknown[];
    }[];
    expect(models.find((m) => m.version === 'v2')).toMatchObject({
      aliases: ['latest:multiclass', 'champion:multiclass'],
      tags: { stage: 'prod' },
    });
    expect(models.find((m) => m.version === 'v2')?.gates).toHaveLength(2);

    const back = await runCli(['models', 'rollback', '--json'], { env });
    expect(JSON.parse(back.stdout)).toEqual({ alias: 'champion:multiclass', from: 'v2', to: 'v1' });
    const show = await runCli(['models', 'show', 'champion'], { env });
    expect(show.stdout).toMatch(/^version {3}v1 \(multiclass\)/);

    const unknown = await runCli(['models', 'promote', 'v9'], { env });
    expect(unknown.code).toBe(2);
    expect(errorLines(unknown.stderr)[0]).toMatch(/no model 'v9' in the registry/);
  }, 120_000);
});
