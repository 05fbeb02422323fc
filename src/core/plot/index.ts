// Public surface of the pure chart specs shared by the CLI, API and UI.
export * from './chart-style.ts';
export * from './confusion-matrix.ts';
export * from './histogram.ts';
export * from './loss-curves.ts';
export * from './reliability.ts';
export * from './risk-coverage.ts';
export * from './roc-pr.ts';
export * from './scatter.ts';
export * from './sweep-charts.ts';
export * from './reference-map-spec.ts';
export * from './validation-charts.ts';
