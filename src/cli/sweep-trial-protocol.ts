// Messages between `arginator sweep` and a trial's child process (Node IPC).

export interface TrialStart {
  readonly type: 'start';
  readonly overrides: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly sweepId: string;
  readonly trial: number;
}

export type ToTrial = TrialStart | { readonly type: 'stop' };

export type FromTrial =
  | { readonly type: 'epoch'; readonly metrics: Readonly<Record<string, number>> }
  | {
      readonly type: 'done';
      readonly status: 'completed' | 'cancelled' | 'failed';
      readonly runId?: string | undefined;
      readonly error?: string | undefined;
      readonly final: Readonly<Record<string, number>>;
    };
