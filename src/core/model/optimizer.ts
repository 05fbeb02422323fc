// Optimizer configs with the original system's keys (PyTorch semantics) and their stateful step over a flat parameter array.
import { ArginatorError } from '../errors.ts';
import type { Kernels } from './kernels.ts';

/** torch.optim.Adam: weight_decay is an L2 term added to the gradient (not decoupled). */
export interface AdamConfig {
  readonly name: 'adam';
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weight_decay: number;
  readonly amsgrad: boolean;
}

/** torch.optim.AdamW: the same keys, with decoupled weight decay. */
export interface AdamWConfig extends Omit<AdamConfig, 'name'> {
  readonly name: 'adamw';
}

/** torch.optim.SGD. */
export interface SgdConfig {
  readonly name: 'sgd';
  readonly lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weight_decay: number;
  readonly dampening?: number;
}

export type OptimizerConfig = AdamConfig | AdamWConfig | SgdConfig;

export const DEFAULT_ADAM: AdamConfig = {
  name: 'adam',
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weight_decay: 0,
  amsgrad: false,
};

export const DEFAULT_SGD: SgdConfig = {
  name: 'sgd',
  lr: 0.01,
  momentum: 0.9,
  nesterov: false,
  weight_decay: 0,
};

/** A stateful optimizer over one flat parameter array. */
export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Steps taken so far. */
  readonly steps: number;
  step(params: Float32Array, grads: Float32Array): void;
}

function configError(path: string, message: string, hint: string): ArginatorError {
  return new ArginatorError('CONFIG', 'optimizer.invalid', `optimizer.${path}: ${message}`, hint);
}

/** Rejects values PyTorch would reject, with the config path in the message. */
export function validateOptimizerConfig(config: OptimizerConfig): void {
  if (!(config.lr > 0) || !Number.isFinite(config.lr)) {
    throw configError(
      'lr',
      `must be a positive number, got ${config.lr}`,
      'Set e.g. optimizer.lr=0.001.',
    );
  }
  if (!(config.weight_decay >= 0)) {
    throw configError(
      'weight_decay',
      `must be >= 0, got ${config.weight_decay}`,
      'Use 0 for none.',
    );
  }
  if (config.name === 'sgd') {
    if (!(config.momentum >= 0)) {
      throw configError('momentum', `must be >= 0, got ${config.momentum}`, 'Use 0.9 or 0.');
    }
    const dampening = config.dampening ?? 0;
    if (config.nesterov && (config.momentum <= 0 || dampening !== 0)) {
      throw configError(
        'nesterov',
        'Nesterov momentum requires momentum > 0 and dampening = 0',
        'Set optimizer.momentum=0.9 or optimizer.nesterov=false.',
      );
    }
    return;
  }
  const [b1, b2] = config.betas;
  if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) {
    throw configError('betas', `must both be in [0, 1), got [${b1}, ${b2}]`, 'Use [0.9, 0.999].');
  }
  if (!(config.eps >= 0)) {
    throw configError('eps', `must be >= 0, got ${config.eps}`, 'Use 1e-8.');
  }
}

/** Creates the optimizer's state (moment buffers) for `size` parameters. */
export function createOptimizer(
  config: OptimizerConfig,
  size: number,
  kernels: Kernels,
): Optimizer {
  validateOptimizerConfig(config);
  let steps = 0;
  if (config.name === 'sgd') {
    const buffer = config.momentum !== 0 ? new Float32Array(size) : undefined;
    const dampening = config.dampening ?? 0;
    return {
      config,
      get steps() {
        return steps;
      },
      step(params, grads) {
        kernels.sgdUpdate(params, grads, buffer, size, {
          lr: config.lr,
          momentum: config.momentum,
          dampening,
          nesterov: config.nesterov,
          weightDecay: config.weight_decay,
          firstStep: steps === 0,
        });
        steps++;
      },
    };
  }
  const m = new Float32Array(size);
  const v = new Float32Array(size);
  const vMax = config.amsgrad ? new Float32Array(size) : undefined;
  return {
    config,
    get steps() {
      return steps;
    },
    step(params, grads) {
      steps++;
      kernels.adamUpdate(params, grads, m, v, vMax, size, {
        lr: config.lr,
        beta1: config.betas[0],
        beta2: config.betas[1],
        eps: config.eps,
        weightDecay: config.weight_decay,
        amsgrad: config.amsgrad,
        decoupled: config.name === 'adamw',
        step: steps,
      });
    },
  };
}
