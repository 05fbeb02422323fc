// POST /v1/predict: synchronous prediction of a few proteins (server.sync_max_proteins) as JSON.
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import { isArginatorError } from '../../core/errors.ts';
import type { Prediction } from '../../core/model/predictor.ts';
import type { ProteinRecord } from '../../core/sequence/protein-record.ts';
import { parseFastaText } from '../../core/sequence/fasta-parser.ts';
import { predictionRow } from '../../io/prediction-table.ts';
import type { Task } from '../../core/domain.ts';
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
        if (
          isArginatorError(e) &&
          (e.reason === 'model.none-registered' || e.reason === 'model.checksum-mismatch')
        ) {
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
      shadow(deps, request.log, input.task, model.version, records, predicted);
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

/**
 * The challenger's shadow prediction of the same proteins, after the champion's response is
 * ready: logged with how many calls agree, never returned. It runs through the batcher like any
 * request, so it costs a second prediction per request while a challenger is set; a failure is
 * logged and touches nothing else.
 */
function shadow(
  deps: AppDeps,
  log: FastifyInstance['log'],
  task: Task,
  version: string,
  records: readonly ProteinRecord[],
  served: readonly Prediction[],
): void {
  void deps.models
    .challenger(task)
    .then(async (challenger) => {
      if (challenger === undefined || challenger.version === version) {
        return;
      }
      const predicted = await deps.predictions.predict(challenger, task, records);
      const agreed = predicted.filter((p, i) => p.label === served[i]?.label).length;
      log.info(
        {
          shadow: true,
          model_version: version,
          challenger_version: challenger.version,
          proteins: records.length,
          agreed,
        },
        `challenger ${challenger.version} agrees with ${version} on ${agreed}/${records.length}`,
      );
    })
    .catch((e: unknown) =>
      log.warn({ err: e, shadow: true }, 'challenger shadow prediction failed'),
    );
}
