import { availableParallelism } from 'node:os';

import { describe, expect, it } from 'vitest';

import { nativeThreads } from './native-addon.ts';

describe('nativeThreads', () => {
  const cores = availableParallelism();
  it('defaults to two threads, never more than the cores', () => {
    expect(nativeThreads()).toBe(Math.min(2, cores));
  });
  it('takes a caller budget of one (a queue worker chunk thread) and clamps nonsense to a thread', () => {
    expect(nativeThreads(1)).toBe(1);
    expect(nativeThreads(0)).toBe(1);
    expect(nativeThreads(-3)).toBe(1);
    expect(nativeThreads(1.7)).toBe(1);
    expect(nativeThreads(Number.NaN)).toBe(Math.min(2, cores));
    expect(nativeThreads(10_000)).toBe(cores);
  });
});
