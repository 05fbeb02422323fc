// The service with model.runtime=onnx: /v1/predict on the request thread and on the prediction worker, and a job on a job worker, run the ONNX classifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Service } from './service.ts';
import {
  makeHome,
  multipart,
  randomFasta,
  registerTinyModel,
  startService,
  waitForJob,
} from './test-support/service-fixture.ts';

interface Row {
  protein_id: string;
  predicted_label: string;
  confidence_score: number;
  prob_betalactamase: number;
}

const fasta = randomFasta(12, 21, 90);
let home: string;
const services: Service[] = [];

beforeAll(async () => {
  home = await makeHome();
  await registerTinyModel(home);
});

afterAll(async () => {
  for (const s of services) {
    await s.app.close();
  }
});

async function predict(service: Service, payload: object): Promise<{ body: string; rows: Row[] }> {
  const res = await service.app.inject({ method: 'POST', url: '/v1/predict', payload });
  expect(res.statusCode, res.body).toBe(200);
  return { body: res.body, rows: res.json<{ predictions: Row[] }>().predictions };
}

describe('serve with model.runtime=onnx', () => {
  it('answers /v1/predict like the native classifier (fp32 on the request thread, int8 on the worker)', async () => {
    const native = await startService(home);
    const fp32 = await startService(home, {}, [], undefined, {
      runtime: { runtime: 'onnx', quantize: 'none' },
    });
    const int8 = await startService(home, {}, [], undefined, {
      runtime: { runtime: 'onnx', quantize: 'int8' },
      syncPredict: 'worker',
    });
    services.push(native, fp32, int8);
    const expected = (await predict(native, { fasta })).rows;
    const viaFp32 = (await predict(fp32, { fasta })).rows;
    const viaInt8 = (await predict(int8, { fasta })).rows;
    expect(viaFp32.map((r) => r.predicted_label)).toEqual(expected.map((r) => r.predicted_label));
    expected.forEach((row, i) => {
      expect(Math.abs((viaFp32[i]?.confidence_score ?? 0) - row.confidence_score)).toBeLessThan(
        1e-5,
      );
      expect(Math.abs((viaInt8[i]?.prob_betalactamase ?? 0) - row.prob_betalactamase)).toBeLessThan(
        0.05,
      );
    });
    // The worker really ran the int8 graph: its rounding shows somewhere.
    expect(viaInt8.some((r, i) => r.confidence_score !== expected[i]?.confidence_score)).toBe(true);
    // int8 answers do not depend on what else is batched with them: one by one = all at once.
    const requests = Array.from({ length: 8 }, (_, i) => ({
      fasta: randomFasta(1 + (i % 4), 50 + i),
    }));
    const alone: string[] = [];
    for (const r of requests) {
      alone.push((await predict(int8, r)).body);
    }
    const together = await Promise.all(requests.map((r) => predict(int8, r)));
    expect(together.map((t) => t.body)).toEqual(alone);
  }, 120_000);

  it('runs jobs on the job worker with the ONNX classifier', async () => {
    const service = services[2] as Service;
    const res = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      ...multipart([
        { name: 'file', filename: 'in.faa', data: fasta },
        { name: 'task', value: 'multiclass' },
      ]),
    });
    expect(res.statusCode, res.body).toBe(201);
    const job = await waitForJob(service.app, res.json<{ id: string }>().id, 60_000);
    expect(job.status).toBe('completed');
    const table = await service.app.inject(`/v1/jobs/${job.id}/results?format=json`);
    const rows = table.json<Row[]>();
    const direct = (await predict(service, { fasta })).rows;
    expect(rows.map((r) => r.confidence_score)).toEqual(direct.map((r) => r.confidence_score));
  }, 120_000);
});
