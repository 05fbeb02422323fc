// Models: every registered version with its aliases, tags, gate reports and test metrics; promote and roll back.
import { ApiError, getModels, promoteModel, rollbackModel } from '../api/client.ts';
import type { GateReport, ModelInfo } from '../api/types.ts';
import { h, on, replace } from '../dom.ts';
import { dateTime, decimal } from '../lib/format.ts';
import { headlineMetrics } from '../lib/metrics.ts';
import { routeHash } from '../lib/route.ts';
import { showProblem } from './problem.ts';

const CHAMPION = 'champion';

export function mountModels(root: HTMLElement): () => void {
  const controller = new AbortController();
  const heading = h('h1', { tabindex: -1 }, 'Models');
  const status = h('p', { class: 'muted', role: 'status' });
  const problem = h('div', { class: 'problem', role: 'alert', hidden: true });
  const body = h('div', { class: 'card' }, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  replace(root, heading, status, problem, body);
  heading.focus();

  /** Runs a registry action, then shows its outcome and the list again. */
  const act = (work: () => Promise<string>, retry?: { label: string; run: () => void }): void => {
    problem.hidden = true;
    status.textContent = 'Working…';
    work()
      .then((done) => {
        status.textContent = done;
        load();
      })
      .catch((e: unknown) => {
        status.textContent = '';
        showProblem(problem, e);
        // A refused gate can be overridden on purpose; the report then records it.
        if (retry !== undefined && e instanceof ApiError && e.problem.status === 409) {
          const again = h('button', { type: 'button', class: 'secondary' }, retry.label);
          on(again, 'click', retry.run);
          problem.append(' ', again);
        }
      });
  };

  const promote = (m: ModelInfo, force: boolean): void =>
    act(
      async () => {
        const { report } = await promoteModel(m.version, { alias: CHAMPION, force });
        return `${report.version} is now ${report.alias}${report.forced ? ' (forced past a failed gate)' : ''}.`;
      },
      force
        ? undefined
        : { label: `Promote ${m.version} anyway (recorded)`, run: () => promote(m, true) },
    );

  const rollback = (task: string): void =>
    act(async () => {
      const r = await rollbackModel({
        alias: CHAMPION,
        task: task === 'binary' ? 'binary' : 'multiclass',
      });
      return r.to === null
        ? `${r.alias} unset (was ${r.from}): serving falls back to latest:${task}.`
        : `${r.alias}: ${r.from} → ${r.to}.`;
    });

  const load = (): void => {
    getModels(controller.signal)
      .then((models) => render(models))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) {
          const region = h('div', { class: 'problem', role: 'alert' });
          replace(body, region);
          showProblem(region, e);
        }
      });
  };

  const render = (models: readonly ModelInfo[]): void => {
    if (models.length === 0) {
      replace(
        body,
        h(
          'p',
          {},
          'No model is registered yet. Train one with ',
          h('code', {}, 'arginator train'),
          '.',
        ),
      );
      return;
    }
    const metrics = headlineMetrics(models.map((m) => m.metrics));
    const championTasks = [
      ...new Set(
        models.flatMap((m) =>
          m.aliases.filter((a) => a.startsWith(`${CHAMPION}:`)).map(() => m.task),
        ),
      ),
    ];
    const rollbacks = championTasks.map((task) => {
      const button = h(
        'button',
        { type: 'button', class: 'secondary' },
        `Roll back champion:${task}`,
      );
      on(button, 'click', () => rollback(task));
      return button;
    });
    replace(
      body,
      h(
        'p',
        { class: 'muted' },
        'The champion serves predictions (else the latest model of the task); a challenger is shadowed. ',
        'Promotion runs the gate: test F1 on the published cluster split against the champion, and latency.',
      ),
      rollbacks.length === 0 ? null : h('p', {}, rollbacks),
      h(
        'div',
        { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Models table' },
        h(
          'table',
          { class: 'data' },
          h('caption', { class: 'visually-hidden' }, 'Registered models, newest first'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Version'),
              h('th', { scope: 'col' }, 'Task'),
              h('th', { scope: 'col' }, 'Aliases'),
              h('th', { scope: 'col' }, 'Tags'),
              h('th', { scope: 'col' }, 'Last gate'),
              h('th', { scope: 'col' }, 'Created'),
              h('th', { scope: 'col' }, 'Run'),
              metrics.map((m) => h('th', { scope: 'col', class: 'num' }, m.title)),
              h('th', { scope: 'col' }, 'Actions'),
            ),
          ),
          h(
            'tbody',
            {},
            models.map((m) => {
              const isChampion = m.aliases.includes(`${CHAMPION}:${m.task}`);
              const button = h(
                'button',
                { type: 'button', disabled: isChampion },
                isChampion ? 'Champion' : 'Promote to champion',
              );
              on(button, 'click', () => promote(m, false));
              return h(
                'tr',
                {},
                h('th', { scope: 'row' }, m.version),
                h('td', {}, m.task),
                h(
                  'td',
                  {},
                  m.aliases.map((a) => h('span', { class: 'badge' }, a)),
                ),
                h(
                  'td',
                  {},
                  Object.entries(m.tags).map(([k, v]) =>
                    h('span', { class: 'badge' }, `${k}=${v}`),
                  ),
                ),
                h('td', {}, gateCell(m.gates.at(-1), m.gates.length)),
                h('td', {}, dateTime(m.created_at)),
                h(
                  'td',
                  { class: 'mono' },
                  m.run_id === null
                    ? '—'
                    : h('a', { href: routeHash({ name: 'run', id: m.run_id }) }, m.run_id),
                ),
                metrics.map((x) =>
                  h('td', { class: 'num' }, decimal(m.metrics[x.key] ?? null, x.digits)),
                ),
                h('td', {}, button),
              );
            }),
          ),
        ),
      ),
    );
  };

  load();
  return () => controller.abort();
}

/** The last gate of a version: its verdict, with the measurements in a disclosure. */
function gateCell(gate: GateReport | undefined, count: number): HTMLElement | string {
  if (gate === undefined) {
    return '—';
  }
  const verdict = gate.passed ? 'passed' : gate.forced ? 'failed, forced' : 'refused';
  const q = gate.quality;
  const l = gate.latency;
  return h(
    'details',
    {},
    h(
      'summary',
      {},
      h('span', { class: `badge ${gate.passed ? 'status-completed' : 'status-failed'}` }, verdict),
      ` → ${gate.alias}${count > 1 ? ` (${count} gates)` : ''}`,
    ),
    h(
      'ul',
      {},
      h(
        'li',
        {},
        `${q.metric} ${decimal(q.candidate, 4)}`,
        q.baseline === undefined
          ? ' (no champion to compare with)'
          : ` vs ${gate.baseline ?? ''} ${decimal(q.baseline, 4)}, tolerance ${q.tolerance}`,
        `, ${q.proteins} test proteins`,
      ),
      h(
        'li',
        {},
        `latency ${decimal(l.candidateMs, 1)} ms`,
        l.baselineMs === undefined ? '' : ` vs ${decimal(l.baselineMs, 1)} ms`,
        ` (max ${l.maxMs} ms, ${l.proteins} proteins)`,
      ),
      gate.reasons.map((r) => h('li', {}, r)),
      h('li', { class: 'muted' }, dateTime(gate.at)),
    ),
  );
}
