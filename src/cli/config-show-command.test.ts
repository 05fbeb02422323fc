import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

import type { CliIo } from './cli-io.ts';
import { configCommand } from './commands/config.ts';
import { configShowCommand } from './commands/config-show.ts';

function fakeIo(): CliIo & { out: () => string } {
  let out = '';
  return {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: () => true },
    env: { ARGINATOR_HOME: '/tmp/arginator-home' },
    cwd: '/work',
    signal: new AbortController().signal,
    out: () => out,
  };
}

describe('arginator config show', () => {
  it('prints the resolved config as YAML with the choices', async () => {
    const io = fakeIo();
    expect(
      await configShowCommand(['task=binary', 'optimizer=sgd', 'experiment.lr=0.01'], {}, io),
    ).toBe(0);
    expect(io.out()).toMatch(/^# choices: task=binary optimizer=sgd experiment=default /);
    const shown = YAML.parse(io.out()) as { optimizer: unknown; paths: { runs: string } };
    expect(shown.optimizer).toMatchObject({ name: 'sgd', lr: 0.01, momentum: 0.9 });
    expect(shown.paths.runs).toBe('/tmp/arginator-home/runs');
  });

  it('prints JSON with --json, through the config dispatcher', async () => {
    const io = fakeIo();
    expect(await configCommand(['show', 'model=logreg'], { json: true }, io)).toBe(0);
    expect((JSON.parse(io.out()) as { model: unknown }).model).toEqual({
      name: 'logreg',
      hidden_sizes: [],
      homology: true,
      homology_candidates: 2,
      homology_min_similarity: 0.1,
      homology_seed_candidates: 20,
      runtime: 'native',
      onnx_quantize: 'none',
    });
  });

  it('fails with code CONFIG and every problem', async () => {
    await expect(configShowCommand(['task=bin', 'nope'], {}, fakeIo())).rejects.toMatchObject({
      code: 'CONFIG',
      errors: [
        expect.stringMatching(/^'nope': missing =value/),
        "task: unknown option 'bin' (available: binary, multiclass)",
      ],
    });
  });

  it('refuses an unknown action', async () => {
    await expect(configCommand(['edit'], {}, fakeIo())).rejects.toMatchObject({ code: 'USAGE' });
  });
});
