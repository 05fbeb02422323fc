// The W&B sweep format: the original's configs/sweep.yaml as written, inference, defaults, warnings and errors.
import { describe, expect, it } from 'vitest';

import { parseSweepYaml } from './sweep-spec.ts';
import { checkEarlyTerminateMetric, resolveMetric } from './trial-metrics.ts';

/** The original system's configs/sweep.yaml, per /work/shared/design/original-formats.md. */
export const ORIGINAL_SWEEP = `program: src/train.py
name: sweep
project: arg-classification
entity: some-team
method: bayes
metric:
  goal: minimize
  name: val_loss
run_cap: 50
command:
  - \${env}
  - \${interpreter}
  - \${program}
  - \${args_no_hyphens}
parameters:
  experiment.lr:
    min: 0.00001
    max: 0.01
    distribution: log_uniform
  experiment.batch_size:
    values: [16, 32, 64]
  experiment.epochs:
    values: [5, 10]
  experiment.dropout_rate:
    min: 0.1
    max: 0.5
    distribution: uniform
`;

describe('parseSweepYaml', () => {
  it("reads the original's sweep as it is, with a note and the log_uniform warning", () => {
    const { spec, notes, warnings } = parseSweepYaml(ORIGINAL_SWEEP, 'configs/sweep.yaml');
    expect(spec.method).toBe('bayes');
    expect(spec.metric).toEqual({ name: 'val_loss', goal: 'minimize' });
    expect(spec.runCap).toBe(50);
    expect(spec.parameters.map((p) => p.name)).toEqual([
      'experiment.batch_size',
      'experiment.dropout_rate',
      'experiment.epochs',
      'experiment.lr',
    ]);
    expect(spec.parameters[3]).toEqual({
      name: 'experiment.lr',
      distribution: 'log_uniform',
      min: 0.00001,
      max: 0.01,
    });
    expect(notes.join(' ')).toMatch(/ignored program, command, entity, project/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/\[1\.00001, 1\.01005\]/);
    expect(warnings[0]).toMatch(/log_uniform_values/);
    expect(resolveMetric(spec.metric?.name ?? '', 's').key).toBe('val_loss');
  });

  it("infers W&B's distributions: int bounds int_uniform, float bounds uniform, values, value", () => {
    const { spec } = parseSweepYaml(
      `method: random
parameters:
  a: {min: 1, max: 10}
  b: {min: 1.0, max: 10}
  c: {values: [x, y]}
  d: {value: 3}
  e: {distribution: normal}
  f: {distribution: q_uniform, min: 0, max: 1}
  g: {parameters: {h: {values: [1, 2]}}}
`,
      't.yaml',
    );
    const by = Object.fromEntries(spec.parameters.map((p) => [p.name, p]));
    expect(by['a']?.distribution).toBe('int_uniform');
    expect(by['b']?.distribution).toBe('uniform');
    expect(by['c']?.distribution).toBe('categorical');
    expect(by['d']).toEqual({ name: 'd', distribution: 'constant', value: 3 });
    expect(by['e']).toEqual({ name: 'e', distribution: 'normal', mu: 0, sigma: 1 });
    expect(by['f']).toMatchObject({ q: 1 });
    expect(by['g.h']?.distribution).toBe('categorical');
  });

  it('reads early_terminate with eta 3 by default', () => {
    const { spec } = parseSweepYaml(
      `method: random
metric: {name: val_f1, goal: maximize}
early_terminate: {type: hyperband, min_iter: 3}
parameters: {a: {values: [1]}}
`,
      't.yaml',
    );
    expect(spec.earlyTerminate).toEqual({
      type: 'hyperband',
      minIter: 3,
      maxIter: undefined,
      s: undefined,
      eta: 3,
      strict: false,
    });
  });

  it('refuses mistakes with a fix', () => {
    const bad = (text: string): string => {
      try {
        parseSweepYaml(text, 't.yaml');
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(bad('method: bayes\nparameters: {a: {min: 0.0, max: 1.0}}')).toMatch(/needs a metric/);
    expect(bad('method: random\nrun_caps: 3\nparameters: {a: {values: [1]}}')).toMatch(/run_caps/);
    expect(bad('method: random\nparameters: {a: {min: 2.0, max: 1.0}}')).toMatch(
      /must be below max/,
    );
    expect(
      bad(
        'method: random\nparameters: {a: {distribution: log_uniform_values, min: 0.0, max: 1.0}}',
      ),
    ).toMatch(/> 0/);
    expect(
      bad(
        'method: random\nmetric: {name: l}\nearly_terminate: {type: hyperband, max_iter: 9}\nparameters: {a: {values: [1]}}',
      ),
    ).toMatch(/needs s/);
    expect(() => resolveMetric('val_auc', 't')).toThrow(/not reported by training/);
    expect(resolveMetric('val_macro_f1', 't')).toEqual({ key: 'val_f1', kind: 'epoch' });
    expect(() => checkEarlyTerminateMetric(resolveMetric('test_f1', 't'), true, 't')).toThrow(
      /every epoch/,
    );
    expect(() =>
      checkEarlyTerminateMetric(resolveMetric('val_loss', 't'), true, 't'),
    ).not.toThrow();
  });
});
