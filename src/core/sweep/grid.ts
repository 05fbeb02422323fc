// W&B's grid search: the Cartesian product of the parameters' values, parameters in name order, the last varying fastest.
import { ArginatorError } from '../errors.ts';
import { quantise } from './distributions.ts';
import type { ParamSpec, ParamValue } from './types.ts';

/** The values one parameter takes in a grid; undefined for a continuous distribution. */
export function gridValues(param: ParamSpec): readonly ParamValue[] | undefined {
  switch (param.distribution) {
    case 'constant':
      return [param.value];
    case 'categorical':
      return param.values;
    case 'int_uniform': {
      const out: number[] = [];
      for (let v = param.min; v <= param.max; v++) {
        out.push(v);
      }
      return out;
    }
    case 'q_uniform': {
      const out: number[] = [];
      const steps = Math.floor((param.max - param.min) / param.q + 1e-9);
      for (let i = 0; i <= steps; i++) {
        out.push(quantise(param.min + i * param.q, param.q));
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** Every grid point in order; throws for a parameter that has no finite set of values. */
export function gridPoints(params: readonly ParamSpec[]): Record<string, ParamValue>[] {
  const axes = params.map((p) => {
    const values = gridValues(p);
    if (values === undefined) {
      throw new ArginatorError(
        'CONFIG',
        'sweep.grid-continuous',
        `method: grid needs a finite set of values, but parameter '${p.name}' has distribution ${p.distribution}`,
        `give '${p.name}' values: [...] (or int_uniform / q_uniform bounds), or use method: random or bayes`,
      );
    }
    return { name: p.name, values };
  });
  let points: Record<string, ParamValue>[] = [{}];
  for (const axis of axes) {
    const next: Record<string, ParamValue>[] = [];
    for (const point of points) {
      for (const v of axis.values) {
        next.push({ ...point, [axis.name]: v });
      }
    }
    points = next;
  }
  return points;
}
