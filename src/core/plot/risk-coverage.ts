// Chart spec: risk–coverage curves (share of wrong calls among those kept, against the share kept), AURC in the legend.
import {
  PANEL,
  SERIES_COLOURS,
  fixed,
  isFiniteNumber,
  topLevel,
  type JsonObject,
  type VegaLiteSpec,
} from './chart-style.ts';

export interface RiskCoverageCurve {
  /** Series name, e.g. the confidence it ranks by. */
  label: string;
  coverage: readonly number[];
  risk: readonly number[];
  /** Area under the curve (lower is better), shown in the legend. */
  aurc: number;
}

export interface RiskCoverageInput {
  curves: readonly RiskCoverageCurve[];
  title?: string | undefined;
  subtitle?: string | undefined;
}

const COLOURS = [
  SERIES_COLOURS.primary,
  SERIES_COLOURS.secondary,
  SERIES_COLOURS.tertiary,
  SERIES_COLOURS.quaternary,
];

/** Risk against coverage, one line per curve; a good confidence keeps the risk low until coverage is high. */
export function riskCoverageSpec(input: RiskCoverageInput): VegaLiteSpec {
  const names = input.curves.map((c) => `${c.label} (AURC ${fixed(c.aurc, 6)})`);
  const values: JsonObject[] = [];
  input.curves.forEach((c, s) => {
    const n = Math.min(c.coverage.length, c.risk.length);
    let lastX = -1;
    let lastY = Number.NaN;
    for (let i = 0; i < n; i++) {
      const x = c.coverage[i];
      const y = c.risk[i];
      // One point per distinct confidence can be thousands: between wrong calls the risk only
      // decays, so a point that neither raises the risk (a wrong call) nor moves 1/500 of the
      // coverage is not drawn (the first and last always are).
      const needed = i === n - 1 || !((y ?? 0) <= lastY) || (x ?? 0) - lastX >= 0.002;
      if (isFiniteNumber(x) && isFiniteNumber(y) && needed) {
        values.push({ series: names[s] ?? c.label, order: i, coverage: x, risk: y });
        lastX = x;
        lastY = y;
      }
    }
  });
  const maxRisk = Math.max(0.001, ...values.map((v) => v['risk'] as number));
  const body: JsonObject = {
    width: PANEL.width,
    height: PANEL.height,
    data: { values },
    mark: {
      type: 'line',
      point: { size: 20, filled: true },
      strokeWidth: 2,
      interpolate: 'step-after',
    },
    encoding: {
      x: {
        field: 'coverage',
        type: 'quantitative',
        title: 'Coverage (share of calls kept, most confident first)',
        scale: { domain: [0, 1], nice: false },
        axis: { tickCount: 5, format: '.1f' },
      },
      y: {
        field: 'risk',
        type: 'quantitative',
        title: 'Risk (share of kept calls that are wrong)',
        scale: { domain: [0, maxRisk * 1.1], nice: false },
        axis: { tickCount: 5, format: '.4f' },
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: names, range: COLOURS.slice(0, names.length) },
        legend: { orient: 'top-left', fillColor: 'white', strokeColor: '#CCCCCC', padding: 6 },
      },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [
        { field: 'series', type: 'nominal', title: 'Series' },
        { field: 'coverage', type: 'quantitative', title: 'Coverage', format: '.3f' },
        { field: 'risk', type: 'quantitative', title: 'Risk', format: '.4f' },
      ],
    },
  };
  const description =
    'Risk–coverage curve: keeping only the calls above a confidence threshold, the share of kept ' +
    `calls that are wrong against the share kept. ${names.join('; ')}.`;
  return topLevel(
    {
      text: input.title ?? 'Risk–coverage',
      subtitle: input.subtitle ?? 'Lower is better; the right end is the error rate of all calls',
    },
    description,
    body,
  );
}
