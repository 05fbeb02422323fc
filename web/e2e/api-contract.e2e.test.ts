// One contract between API and UI: the web UI's words equal core/domain.ts and every enum of the served /openapi.json (here in web/e2e, the test layer that may import both src and web).
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import * as domain from '../../src/core/domain.ts';
import * as driftContract from '../../src/core/drift/drift-contract.ts';
import * as sweepContract from '../../src/core/sweep/sweep-contract.ts';
import * as runContract from '../../src/core/tracking/run-contract.ts';
import * as ui from '../src/api/contract.ts';
import { parseDriftCheck, parseDriftHistory, parseDriftReport } from '../src/api/drift-guards.ts';
import { parseJob } from '../src/api/guards.ts';
import { parseSweep, parseSweeps } from '../src/api/sweep-guards.ts';
import type { Job } from '../../src/pipeline/jobs/job.ts';
import { jobJson } from '../../src/server/job-json.ts';
import type { Service } from '../../src/server/service.ts';
import { configSchema } from '../../src/pipeline/config/schema.ts';
import {
  makeHome,
  randomFasta,
  registerTinyModel,
  startService,
} from '../../src/server/test-support/service-fixture.ts';
import { writeFinishedSweep, writeRunningSweep } from '../../src/wiring/test-support/sweep-home.ts';

/** Each word list the UI accepts, with the one declaration it must equal. */
const WORD_LISTS = [
  { name: 'job states', ui: ui.JOB_STATUSES, domain: domain.JOB_STATUSES },
  { name: 'tasks', ui: ui.TASKS, domain: domain.TASKS },
  { name: 'table formats', ui: ui.TABLE_FORMATS, domain: domain.TABLE_FORMATS },
  { name: 'novelty classes', ui: ui.NOVELTY_CLASSES, domain: domain.NOVELTY_CLASSES },
  { name: 'evidence methods', ui: ui.EVIDENCE_METHODS, domain: domain.EVIDENCE_METHODS },
  { name: 'carbapenemase calls', ui: ui.CARBAPENEMASE_CALLS, domain: domain.CARBAPENEMASE_CALLS },
  { name: 'multiclass labels', ui: ui.MULTICLASS_LABELS, domain: domain.MULTICLASS_LABELS },
  { name: 'binary labels', ui: ui.BINARY_LABELS, domain: domain.BINARY_LABELS },
  { name: 'run states', ui: ui.RUN_STATUSES, domain: runContract.RUN_STATUSES },
  { name: 'sweep states', ui: ui.SWEEP_STATUSES, domain: sweepContract.SWEEP_STATUSES },
  { name: 'trial states', ui: ui.TRIAL_STATES, domain: sweepContract.TRIAL_STATES },
  { name: 'drift triggers', ui: ui.DRIFT_TRIGGERS, domain: driftContract.DRIFT_TRIGGERS },
  {
    name: 'drift check states',
    ui: ui.DRIFT_CHECK_STATUSES,
    domain: driftContract.DRIFT_CHECK_STATUSES,
  },
] as const;

interface FoundEnum {
  readonly at: string;
  readonly values: readonly unknown[];
}

/** Every `enum` in a JSON document, with its JSON pointer. */
function enumsIn(node: unknown, at = ''): FoundEnum[] {
  if (Array.isArray(node)) {
    return node.flatMap((x, i) => enumsIn(x, `${at}/${i}`));
  }
  if (typeof node !== 'object' || node === null) {
    return [];
  }
  return Object.entries(node).flatMap(([k, v]) =>
    k === 'enum' && Array.isArray(v)
      ? [{ at, values: v as unknown[] }]
      : enumsIn(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`),
  );
}

describe('the UI and core/domain.ts', () => {
  it.each(WORD_LISTS)('the UI knows the same $name, in the same order', (list) => {
    expect([...list.ui]).toEqual([...list.domain]);
  });

  it('parses the server JSON of a job in every state (expired included)', () => {
    for (const status of domain.JOB_STATUSES) {
      for (const task of domain.TASKS) {
        const job: Job = {
          id: '3f1c2a9e-8d4b-4c1a-9e2f-5b6d7c8e9f00',
          status,
          task,
          inputName: 'a.faa',
          modelVersion: 'v1',
          proteinsTotal: 3,
          proteinsDone: 3,
          attempts: 1,
          createdAt: '2026-11-20T07:00:00.000Z',
          startedAt: null,
          finishedAt: null,
          expiresAt: status === 'expired' ? '2026-11-27T07:00:00.000Z' : null,
          error: null,
          summary: null,
          idempotencyKey: null,
          owner: null,
        };
        const parsed = parseJob(JSON.parse(JSON.stringify(jobJson(job))));
        expect(parsed).toMatchObject({ status, task, expires_at: job.expiresAt });
      }
    }
  });
});

describe('the UI and the server JSON of sweeps', () => {
  it('parses /v1/sweeps and /v1/sweeps/{id} as the server writes them, with every field', async () => {
    const home = await makeHome();
    const finished = await writeFinishedSweep(home, '20261201T100000Z-aaaaaa', 5);
    await writeRunningSweep(home, finished, 'dead');
    const service = await startService(home);
    try {
      const list = (await service.app.inject('/v1/sweeps')).json<unknown>();
      const raw = (await service.app.inject('/v1/sweeps/20261201T100000Z-aaaaaa')).json<
        Record<string, unknown>
      >();
      const [summary] = parseSweeps(list);
      expect(summary).toEqual((list as { sweeps: unknown[] }).sweeps[0]);
      // The parse keeps every field the server sent, unchanged.
      expect(parseSweep(raw)).toEqual(raw);
      expect(parseSweep(raw).status).toBe('interrupted');
    } finally {
      await service.app.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('the UI and the server JSON of drift', () => {
  it('parses a real check, report and history as the server writes them, with every field', async () => {
    const home = await makeHome();
    await registerTinyModel(home);
    const service = await startService(home, {}, [], undefined, {
      monitoring: { ...configSchema.shape.monitoring.parse({}), min_proteins: 12 },
    });
    try {
      const posted = await service.app.inject({
        method: 'POST',
        url: '/v1/drift',
        payload: { task: 'multiclass', fasta: randomFasta(14, 6) },
      });
      const check = posted.json<{ id: string }>();
      expect(parseDriftCheck(check)).toEqual(check);
      await service.driftChecks.settled(check.id);
      const done = (await service.app.inject(`/v1/drift/checks/${check.id}`)).json<unknown>();
      expect(parseDriftCheck(done)).toEqual(done);
      const latest = (await service.app.inject('/v1/drift/latest')).json<Record<string, unknown>>();
      // The parse keeps every field the server sent, unchanged (the numbers as sent).
      expect(parseDriftReport(latest)).toEqual(latest);
      const history = (await service.app.inject('/v1/drift')).json<{ reports: unknown[] }>();
      expect(parseDriftHistory(history)).toEqual(history.reports);
    } finally {
      await service.app.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('the web bundle', () => {
  it('imports nothing from src at run time: only types (erased by the build)', async () => {
    const webSrc = join(import.meta.dirname, '../src');
    const files = (await readdir(webSrc, { recursive: true })).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    );
    const runtime: string[] = [];
    let typeOnly = 0;
    for (const file of files) {
      const text = await readFile(join(webSrc, file), 'utf8');
      // Every import or re-export statement whose module path leaves web/ for src/.
      for (const m of text.matchAll(
        /^(import|export)\s[^;]*?from\s+'((?:\.\.\/)+src\/[^']+)'/gms,
      )) {
        if (/^(import|export) type\s/.test(m[0])) {
          typeOnly += 1;
        } else {
          runtime.push(`${file}: ${m[0].split('\n')[0] ?? ''}`);
        }
      }
    }
    expect(runtime).toEqual([]);
    expect(typeOnly).toBeGreaterThan(0); // the check found the contract's type import
  });
});

describe('the UI and the served /openapi.json', () => {
  let home: string;
  let service: Service;
  let doc: unknown;
  beforeAll(async () => {
    home = await makeHome();
    service = await startService(home);
    doc = (await service.app.inject('/openapi.json')).json();
  });
  afterAll(async () => {
    await service.app.close();
    await rm(home, { recursive: true, force: true });
  });

  const schemas = (): Record<string, { enum?: unknown[] }> =>
    (doc as { components: { schemas: Record<string, { enum?: unknown[] }> } }).components.schemas;

  it('names each word list once, as a component built from core/domain.ts', () => {
    expect(schemas()['JobStatus']?.enum).toEqual([...ui.JOB_STATUSES]);
    expect(schemas()['Task']?.enum).toEqual([...ui.TASKS]);
    expect(schemas()['TableFormat']?.enum).toEqual([...ui.TABLE_FORMATS]);
    expect(schemas()['Novelty']?.enum).toEqual([...ui.NOVELTY_CLASSES]);
    expect(schemas()['EvidenceMethod']?.enum).toEqual([...ui.EVIDENCE_METHODS]);
    expect(schemas()['Carbapenemase']?.enum).toEqual([...ui.CARBAPENEMASE_CALLS]);
    expect(schemas()['MulticlassLabel']?.enum).toEqual([...ui.MULTICLASS_LABELS]);
    expect(schemas()['SweepStatus']?.enum).toEqual([...ui.SWEEP_STATUSES]);
    expect(schemas()['TrialState']?.enum).toEqual([...ui.TRIAL_STATES]);
    expect(schemas()['DriftTrigger']?.enum).toEqual([...ui.DRIFT_TRIGGERS]);
    expect(schemas()['DriftCheckStatus']?.enum).toEqual([...ui.DRIFT_CHECK_STATUSES]);
    expect(schemas()['Job']).toMatchObject({
      properties: {
        status: { $ref: '#/components/schemas/JobStatus' },
        task: { $ref: '#/components/schemas/Task' },
      },
    });
  });

  it('documents the job list filter, the results format and the submitted task', () => {
    const where = enumsIn(doc).map((e) => e.at);
    expect(where).toContain('/paths/~1v1~1jobs/get/parameters/0/schema');
    expect(
      where.some((at) => at.startsWith('/paths/~1v1~1jobs~1{id}~1results/get/parameters')),
    ).toBe(true);
    expect(where.some((at) => at.startsWith('/paths/~1v1~1jobs/post/requestBody'))).toBe(true);
  });

  it('every enum that shares a word with a UI list equals one of those lists', () => {
    const found = enumsIn(doc);
    let compared = 0;
    for (const e of found) {
      // Job, run, sweep and trial states share words (running, failed…): an enum must be one of them whole.
      const sharing = WORD_LISTS.filter((list) =>
        e.values.some((v) => (list.ui as readonly unknown[]).includes(v)),
      );
      if (sharing.length > 0) {
        compared += 1;
        const equal = sharing.find((list) => JSON.stringify(e.values) === JSON.stringify(list.ui));
        expect({ at: e.at, values: e.values, equalsAList: equal !== undefined }).toEqual({
          at: e.at,
          values: e.values,
          equalsAList: true,
        });
      }
    }
    // The components, the list filter, the results format and the JSON body's task at least.
    expect(compared).toBeGreaterThanOrEqual(8);
  });
});
