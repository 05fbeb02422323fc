// The evidence behind one call: class probabilities as a bar, nearest reference (named, with statistics), novelty.
import { BINARY_LABELS, CARBAPENEMASE_TEXT, EVIDENCE_METHOD_TEXT } from '../api/contract.ts';
import type { Novelty } from '../api/contract.ts';
import { h } from '../dom.ts';
import { classColour, className } from '../lib/classes.ts';
import { decimal, percent, percentOfOne } from '../lib/format.ts';
import type { PredictionRow } from '../lib/prediction-rows.ts';

const NOVELTY_MEANING: Readonly<Record<Novelty, string>> = {
  known: 'identity ≥ 68% over ≥ 70% of the query to the nearest reference',
  distant: 'between known and novel: a relative, not a close match',
  novel: 'identity < 40%, or coverage < 50%, or no reference aligned',
};

export function evidencePanel(row: PredictionRow, classLabels: readonly string[]): HTMLElement {
  const probs: [string, number][] =
    classLabels.length > 0
      ? classLabels.map((l) => [l, row.probabilities[l] ?? 0])
      : [
          [BINARY_LABELS[0], row.prob_betalactamase],
          [BINARY_LABELS[1], 1 - row.prob_betalactamase],
        ];
  const bar = h(
    'div',
    {
      class: 'prob-bar',
      role: 'img',
      'aria-label': `Class probabilities: ${probs.map(([l, p]) => `${l} ${percentOfOne(p)}`).join(', ')}`,
    },
    probs.map(([label, p]) => {
      const seg = h('span', { class: 'prob-seg', title: `${label}: ${percentOfOne(p)}` });
      seg.style.width = `${Math.max(0, Math.min(1, p)) * 100}%`;
      seg.style.background = classColour(label);
      return seg;
    }),
  );
  const legend = h(
    'ul',
    { class: 'prob-legend' },
    probs.map(([label, p]) =>
      h(
        'li',
        { class: label === row.predicted_label ? 'called' : '' },
        swatch(label),
        h('span', { title: className(label) }, label),
        h('span', { class: 'num' }, percentOfOne(p)),
      ),
    ),
  );
  const ref =
    row.nearest_reference === null
      ? h('p', { class: 'muted' }, 'No reference protein aligned.')
      : h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Nearest reference'),
          h(
            'dd',
            {},
            h('span', { class: 'mono' }, row.nearest_reference),
            row.nearest_reference_label === null
              ? null
              : h(
                  'span',
                  { class: 'ref-label' },
                  ' ',
                  swatch(row.nearest_reference_label),
                  row.nearest_reference_label,
                ),
          ),
          h('dt', {}, 'Identity'),
          h('dd', {}, meter(row.identity), percent(row.identity)),
          h('dt', {}, 'Coverage'),
          h('dd', {}, meter(row.coverage), percent(row.coverage)),
          ...namedFacts(row),
        );
  return h(
    'div',
    { class: 'evidence', 'data-testid': 'evidence' },
    h(
      'section',
      { 'aria-label': 'Class probabilities' },
      h('h3', {}, 'Class probabilities'),
      bar,
      legend,
    ),
    h('section', { 'aria-label': 'Nearest reference' }, h('h3', {}, 'Homology'), ref),
    h(
      'section',
      { 'aria-label': 'Novelty' },
      h('h3', {}, 'Novelty'),
      row.novelty === null
        ? h('p', { class: 'muted' }, 'not reported')
        : h(
            'p',
            {},
            h('span', { class: `badge novelty-${row.novelty}` }, row.novelty),
            ' ',
            h('span', { class: 'muted' }, NOVELTY_MEANING[row.novelty]),
          ),
      h(
        'p',
        { class: 'muted small' },
        `P(β-lactamase) ${percentOfOne(row.prob_betalactamase)} · model ${row.model_version}`,
      ),
    ),
  );
}

/** Gene, family, subclass, bit score, e-value and method, as AMRFinderPlus reports them; only what the row has. */
function namedFacts(row: PredictionRow): HTMLElement[] {
  const facts: HTMLElement[] = [];
  const fact = (term: string, ...value: (Node | string)[]): void => {
    facts.push(h('dt', {}, term), h('dd', {}, ...value));
  };
  if (row.nearest_gene !== null) {
    fact(
      'Gene',
      h('span', { class: 'mono' }, row.nearest_gene),
      row.nearest_family === null ? '' : h('span', { class: 'muted' }, ` (${row.nearest_family})`),
    );
  }
  if (row.nearest_subclass !== null) {
    fact('Drug subclass', row.nearest_subclass);
  }
  if (row.bitscore !== null) {
    fact('Bit score', decimal(row.bitscore, 1));
  }
  if (row.evalue !== null) {
    fact('E-value', row.evalue.toExponential(2));
  }
  if (row.method !== null) {
    fact(
      'Method',
      h('span', { class: 'badge', title: EVIDENCE_METHOD_TEXT[row.method] }, row.method),
      ' ',
      h('span', { class: 'muted' }, EVIDENCE_METHOD_TEXT[row.method]),
    );
  }
  if (row.carbapenemase !== null) {
    fact('Carbapenemase', CARBAPENEMASE_TEXT[row.carbapenemase]);
  }
  return facts;
}

export function swatch(label: string): HTMLElement {
  const s = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  s.style.background = classColour(label);
  return s;
}

function meter(value: number | null): HTMLElement | null {
  if (value === null) {
    return null;
  }
  const fill = h('span', { class: 'meter-fill' });
  fill.style.width = `${Math.max(0, Math.min(100, value))}%`;
  return h('span', { class: 'meter', 'aria-hidden': 'true' }, fill);
}
