// POST /v1/predict: synchronous prediction of a few proteins (server.sync_max_proteins) as JSON.
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import { isArginatorError } from '../../core/errors.ts';
import type { Prediction } from '../../core/model/predictor.ts';
import { parseFastaText } from '../../core/sequence/fasta-parser.ts';
import { predictionRow } from '../../io/prediction-table.ts';
import type { AppDeps } from '../app-deps.ts';
import { inServerTerms } from '../limit-hints.ts';
import { jsonInputFasta, jsonInputSchema, parseJsonInput } from '../job-submission.ts';
import { HttpProblem } from '../problem.ts';

export function predictRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post(
    '/v1/predict',
    {
      schema: {
        tags: ['predict'],
        summary: `Predict a few proteins now (JSON {task, sequences | fasta}; at most server.sync_max_proteins)`,
        body: z.toJSONSchema(jsonInputSchema, { io: 'input', unrepresentable: 'any' }),
      },
    },
    async (request) => {
      const input = parseJsonInput(request.body);
      const s = deps.settings;
      const records = (() => {
        try {
          return parseFastaText(jsonInputFasta(input), {
            source: input.fasta === undefined ? 'sequences' : 'fasta',
            limits: {
              maxRecords: s.sync_max_proteins,
              maxSequenceLength: s.max_sequence_length,
              maxDecompressedBytes: s.max_upload_bytes,
            },
            duplicateIds: 'error',
          });
        } catch (e) {
          throw inServerTerms(e, s, 'sync');
        }
      })();
      const model = await deps.models.get(input.task).catch((e: unknown) => {
        if (isArginatorError(e) && e.reason === 'model.none-registered') {
          throw new HttpProblem(503, e.reason, e.message, e.hint);
        }
        throw e;
      });
      const controller = new AbortController();
      request.raw.once('close', () => {
        if (!request.raw.complete) {
          controller.abort();
        }
      });
      // Batched with the other requests waiting for the predictor (predict-batcher.ts).
      const predicted = await deps.predictions.predict(
        model,
        input.task,
        records,
        controller.signal,
      );
      deps.metrics.addProteins(predicted.length);
      const labels = model.predictor.labels;
      return {
        model_version: model.version,
        task: input.task,
        labels,
        predictions: records.map((r, i) =>
          predictionRow(r.id, predicted[i] as Prediction, labels, model.version),
        ),
      };
    },
  );
}
