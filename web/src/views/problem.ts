// Shows an API problem (detail + hint) in a live region next to the input it concerns.
import { ApiError } from '../api/client.ts';
import { h, replace } from '../dom.ts';

/** Fills `region` with the error's message; returns the text shown. */
export function showProblem(region: HTMLElement, error: unknown): string {
  if (error instanceof ApiError) {
    const { problem } = error;
    const hint =
      problem.hint !== null && !problem.detail.includes(problem.hint) ? problem.hint : null;
    replace(
      region,
      h('strong', {}, problemTitle(problem.status, problem.title)),
      ' ',
      problem.detail,
      hint === null ? null : h('span', { class: 'hint' }, ` Hint: ${hint}.`),
    );
  } else {
    replace(
      region,
      h('strong', {}, 'Something went wrong.'),
      ' ',
      error instanceof Error ? error.message : String(error),
    );
  }
  region.hidden = false;
  return region.textContent;
}

export function clearProblem(region: HTMLElement): void {
  replace(region);
  region.hidden = true;
}

function problemTitle(status: number, title: string): string {
  switch (status) {
    case 401:
      return 'API key needed.';
    case 413:
      return 'Input too large.';
    case 422:
      return 'The input was rejected.';
    case 429:
      return 'Too many requests.';
    default:
      return title.endsWith('.') ? title : `${title}.`;
  }
}
