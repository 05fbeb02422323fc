// Child-process entry of one sweep trial: trains with the trial's overrides (no model registration) and reports each epoch to the parent.
import { isArginatorError } from '../core/errors.ts';
import type { TrainOutcome } from '../pipeline/train.ts';
import { runTraining } from './commands/train.ts';
import type { FromTrial, ToTrial } from './sweep-trial-protocol.ts';

const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());
// The sweep is gone (killed): stop rather than train on as an orphan; its resume runs the trial again.
process.on('disconnect', () => controller.abort());

function send(message: FromTrial): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

function finalMetrics(outcome: TrainOutcome): Record<string, number> {
  return outcome.test === undefined
    ? {}
    : {
        test_f1: outcome.test.f1,
        test_accuracy: outcome.test.accuracy,
        test_mcc: outcome.test.mcc,
      };
}

process.on('message', (raw: ToTrial) => {
  if (raw.type === 'stop') {
    controller.abort();
    return;
  }
  void (async () => {
    let done: FromTrial;
    try {
      const outcome = await runTraining(
        raw.overrides,
        { ...raw.options, quiet: false, map: false },
        {
          stdout: process.stdout,
          stderr: process.stderr,
          env: process.env,
          cwd: process.cwd(),
          signal: controller.signal,
        },
        {
          register: false,
          environment: { sweep_id: raw.sweepId, sweep_trial: String(raw.trial) },
          // Tracked as the sweep's trial: `arginator runs list --parent <sweep id>` lists them.
          kind: 'sweep-trial',
          parentRunId: raw.sweepId,
          tags: { sweep_id: raw.sweepId, sweep_trial: String(raw.trial) },
          onEpoch: (e) =>
            void send({
              type: 'epoch',
              metrics: {
                epoch: e.epoch,
                train_loss: e.trainLoss,
                val_loss: e.valLoss,
                val_accuracy: e.val.accuracy,
                val_f1: e.val.f1,
                val_mcc: e.val.mcc,
              },
            }),
        },
      );
      done = {
        type: 'done',
        status: outcome.status,
        runId: outcome.runId,
        final: finalMetrics(outcome),
      };
    } catch (e) {
      done =
        isArginatorError(e) && e.code === 'CANCELLED'
          ? { type: 'done', status: 'cancelled', final: {} }
          : {
              type: 'done',
              status: 'failed',
              error: isArginatorError(e) ? e.oneLine() : e instanceof Error ? e.message : String(e),
              final: {},
            };
    }
    await send(done);
    process.disconnect();
  })();
});
