// The scheduled drift check: ticks on its timer without overlapping, skips with a reason, stops clean; in the service, alerts go to a local receiver.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { DriftReportJson } from '../core/drift/drift-contract.ts';
import { ArginatorError } from '../core/errors.ts';
import { configSchema } from '../pipeline/config/schema.ts';
import type { ScheduleLog, ScheduleTimers } from './drift-schedule.ts';
import { startDriftSchedule } from './drift-schedule.ts';
import type { Service } from './service.ts';
import {
  makeHome,
  randomFasta,
  registerTinyModel,
  startService,
  waitForJob,
} from './test-support/service-fixture.ts';

/** Timers fired by the test: what is armed, and a way to fire it. */
function manualTimers(): ScheduleTimers & { pending: Map<number, () => void>; fire(): void } {
  const pending = new Map<number, () => void>();
  let next = 0;
  return {
    pending,
    set(run) {
      pending.set(++next, run);
      return next;
    },
    clear(handle) {
      pending.delete(handle as number);
    },
    fire() {
      const [entry] = pending;
      if (entry === undefined) {
        throw new Error('no timer is armed');
      }
      pending.delete(entry[0]);
      entry[1]();
    },
  };
}

function collect(): { log: ScheduleLog; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: {
      info: (_f, m) => lines.push(`info ${m}`),
      error: (_f, m) => lines.push(`error ${m}`),
    },
  };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('drift schedule', () => {
  it('arms one timer, re-arms only once a tick has ended, and leaves none after stop()', async () => {
    const timers = manualTimers();
    const { log, lines } = collect();
    let release: (() => void) | undefined;
    let ticks = 0;
    const schedule = startDriftSchedule({
      intervalMs: 3_600_000,
      log,
      timers,
      tick: () => {
        ticks++;
        return new Promise<string>((r) => {
          release = () => r(`check-${ticks}`);
        });
      },
    });
    expect(timers.pending.size).toBe(1);
    timers.fire();
    await flush();
    expect(ticks).toBe(1);
    // The tick has not ended: nothing is armed, so ticks never overlap.
    expect(timers.pending.size).toBe(0);
    release?.();
    await flush();
    await flush();
    expect(timers.pending.size).toBe(1);
    expect(lines).toEqual(['info scheduled drift check queued']);
    schedule.stop();
    expect(timers.pending.size).toBe(0);
  });

  it('logs why a tick was skipped (a typed error) and goes on', async () => {
    const timers = manualTimers();
    const { log, lines } = collect();
    const schedule = startDriftSchedule({
      intervalMs: 1000,
      log,
      timers,
      tick: () =>
        Promise.reject(
          new ArginatorError('NOT_FOUND', 'drift.no-jobs', 'no completed job was submitted', ''),
        ),
    });
    expect(await schedule.runOnce()).toEqual({
      state: 'skipped',
      reason: 'no completed job was submitted',
    });
    expect(lines).toEqual(['info scheduled drift check skipped: no completed job was submitted']);
    schedule.stop();
  });

  it('runs on real timers until stopped', async () => {
    let ticks = 0;
    const schedule = startDriftSchedule({
      intervalMs: 10,
      log: collect().log,
      tick: () => Promise.resolve(`check-${++ticks}`),
    });
    const until = Date.now() + 10_000;
    while (ticks < 2 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
    schedule.stop();
    const after = ticks;
    expect(after).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(ticks).toBe(after);
  });
});

/** A webhook receiver on 127.0.0.1 answering with `statuses` in turn (the last one repeats). */
async function receiver(
  statuses: readonly number[],
): Promise<{ server: Server; url: string; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(statuses[Math.min(bodies.length, statuses.length) - 1] ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hook?token=t0ps3cret`, bodies };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!ok()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('scheduled checks and alerts in the service', () => {
  let home: string;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    home = await makeHome();
    await registerTinyModel(home);
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) {
      await close();
    }
  });

  async function serve(
    hook: string,
    changes: Record<string, unknown>,
  ): Promise<{ service: Service; timers: ReturnType<typeof manualTimers>; lines: string[] }> {
    const timers = manualTimers();
    const lines: string[] = [];
    const service = await startService(home, {}, [], undefined, {
      monitoring: {
        ...configSchema.shape.monitoring.parse({}),
        min_proteins: 12,
        schedule_enabled: true,
        schedule_interval: '1h',
        schedule_window: '1h',
        webhook_headers: { authorization: 'Bearer h3ader-secret' },
        webhook_backoff_seconds: 0.01,
        webhook_max_backoff_seconds: 0.05,
        ...changes,
      },
      driftWebhookUrl: hook,
      scheduleTimers: timers,
      logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
    });
    closers.push(() => service.app.close());
    return { service, timers, lines };
  }

  it('skips a window without jobs, then checks the window and sends one alert, retried once', async () => {
    const hook = await receiver([503, 200]);
    closers.push(() => new Promise((r) => hook.server.close(r)));
    const { service, timers, lines } = await serve(hook.url, {});
    expect(await service.driftSchedule?.runOnce()).toMatchObject({ state: 'skipped' });

    const submitted = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      payload: { task: 'multiclass', fasta: randomFasta(20, 8) },
    });
    expect((await waitForJob(service.app, submitted.json<{ id: string }>().id)).status).toBe(
      'completed',
    );
    timers.fire();
    await until('the scheduled check to be queued', () =>
      lines.some((l) => l.includes('scheduled drift check queued')),
    );
    await until('the alert', () => hook.bodies.length >= 2);
    const latest = (await service.app.inject('/v1/drift/latest')).json<DriftReportJson>();
    expect(latest.trigger).toBe('schedule');
    expect(latest.current.source).toBe('1 job in the last 1h');
    expect(latest.drift).toBe(true);
    // One alert for the one drifted report: its first attempt failed (503), the second delivered.
    expect(hook.bodies).toHaveLength(2);
    expect(hook.bodies[1]).toEqual(hook.bodies[0]);
    expect(hook.bodies[0]).toMatchObject({
      event: 'drift',
      report_id: latest.id,
      drift: true,
      share: latest.share,
      model: latest.model,
    });
    await until('the delivery log line', () =>
      lines.some((l) => l.includes('drift alert delivered')),
    );
    expect(timers.pending.size).toBe(1);
    await service.app.close();
    // Stopped with the server: no timer is left armed.
    expect(timers.pending.size).toBe(0);
    const log = lines.join('');
    expect(log).not.toContain('t0ps3cret');
    expect(log).not.toContain('h3ader-secret');
  });

  it('gives up on a receiver that never succeeds after the bounded attempts, and the server stays up', async () => {
    const hook = await receiver([500]);
    closers.push(() => new Promise((r) => hook.server.close(r)));
    const { service, lines } = await serve(hook.url, { webhook_max_attempts: 3 });
    // The window of the first test's job: checked again by this server's schedule.
    expect(await service.driftSchedule?.runOnce()).toMatchObject({ state: 'submitted' });
    await until('the give-up log line', () => lines.some((l) => l.includes('given up')));
    expect(hook.bodies).toHaveLength(3);
    const gaveUp = JSON.parse(lines.find((l) => l.includes('given up')) ?? '{}') as {
      msg: string;
      level: number;
    };
    expect(gaveUp.msg).toBe('drift alert given up after 3 attempts: HTTP 500');
    expect(gaveUp.level).toBe(50);
    expect((await service.app.inject('/healthz')).statusCode).toBe(200);
    expect(lines.join('')).not.toContain('t0ps3cret');
  });
});
