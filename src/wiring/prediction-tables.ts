// The prediction-table sinks of classify-file: CSV/TSV/JSON files (temp file + rename) or one stream (stdout), shared by the CLI and the job worker.
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm } from 'node:fs/promises';

import type { TableFormat, Task } from '../core/domain.ts';
import { createTableWriter, predictionColumns, predictionRow } from '../io/prediction-table.ts';
import type { TextSink } from '../io/prediction-table.ts';
import type { PredictionTableSink } from '../pipeline/classify-file.ts';
import type { PredictedProtein } from '../pipeline/predict.ts';

/** What the rows carry: the model's labels, task and version. */
export interface TableModel {
  readonly version: string;
  readonly predictor: {
    readonly labels: readonly string[];
    readonly header: { readonly task: Task };
  };
}

/** Rows of one batch as text, one writer per format (each write is one chunk per row). */
function tableWriters(model: TableModel, formats: readonly TableFormat[], sinks: TextSink[]) {
  const { labels } = model.predictor;
  const columns = predictionColumns(labels, model.predictor.header.task);
  const writers = formats.map((f, i) => createTableWriter(f, columns, sinks[i] as TextSink));
  return {
    write(proteins: readonly PredictedProtein[]): void {
      for (const p of proteins) {
        const row = predictionRow(p.id, p.prediction, labels, model.version);
        for (const w of writers) {
          w.write(row);
        }
      }
    },
    end(): void {
      for (const w of writers) {
        w.end();
      }
    },
  };
}

function endStream(out: WriteStream): Promise<void> {
  return new Promise<void>((ok, fail) =>
    out.end((e?: Error | null) => (e == null ? ok() : fail(e))),
  );
}

/**
 * Tables written to files, each first to `<path><tempSuffix>` and renamed when complete (so a
 * crash or a cancel never leaves a half-written table under its name). Writes wait for a full
 * file stream to drain, so memory stays bounded by a batch.
 */
export function predictionTableFiles(
  model: TableModel,
  outputs: readonly { readonly format: TableFormat; readonly path: string }[],
  tempSuffix = '.tmp',
): PredictionTableSink {
  const temps = outputs.map((o) => `${o.path}${tempSuffix}`);
  const streams = temps.map((t) => createWriteStream(t));
  // Errors surface in commit (endStream); a write pending when discard destroys a stream must not crash.
  const failures: Error[] = [];
  for (const s of streams) {
    s.on('error', (e) => failures.push(e));
  }
  const writers = tableWriters(
    model,
    outputs.map((o) => o.format),
    streams,
  );
  return {
    async write(proteins) {
      if (failures[0] !== undefined) {
        throw failures[0];
      }
      writers.write(proteins);
      for (const s of streams) {
        if (s.writableNeedDrain) {
          await once(s, 'drain');
        }
      }
    },
    async commit() {
      writers.end();
      await Promise.all(streams.map(endStream));
      await Promise.all(outputs.map((o, i) => rename(temps[i] as string, o.path)));
    },
    async discard() {
      for (const s of streams) {
        s.destroy();
      }
      await Promise.all(temps.map((t) => rm(t, { force: true })));
    },
  };
}

/** One table written to a stream as rows come (stdout); nothing to rename or remove. */
export function predictionTableStream(
  model: TableModel,
  format: TableFormat,
  out: TextSink,
): PredictionTableSink {
  const writers = tableWriters(model, [format], [out]);
  return {
    write: (proteins) => writers.write(proteins),
    commit: () => {
      writers.end();
      return Promise.resolve();
    },
    discard: () => Promise.resolve(),
  };
}
