// Classify: FASTA files (drag and drop or pick) and/or pasted sequences, a task, submit.
import { apiKey, ApiError, listJobs, setApiKey, submitJob } from '../api/client.ts';
import { JOB_STATUS_TEXT } from '../api/contract.ts';
import type { Job, Task } from '../api/types.ts';
import { h, on, replace } from '../dom.ts';
import { count, dateTime } from '../lib/format.ts';
import { routeHash } from '../lib/route.ts';
import { clearProblem, showProblem } from './problem.ts';

// A class A β-lactamase of the shipped reference data (NCBI WP_063842277.1).
const EXAMPLE = `>WP_063842277.1 example class A beta-lactamase
MVSLVVRSCSVAAVAVGLLFPACAAPVGATATTAPVAELDSVPQVSSGRLGVAILDFQTSKTYHINGKDRFPMQSVFKAMSAVVVMREVDEGKLTLDQEIPVGPDDISVYWSPIAEEFKGTTQTYTVRELLEKSVGMSDNTAADVLMELTGGPQAVTQLLKDAGIEGVRVDRYERQFQAELEGLPPFELGEVINRKAFVEAAKAVPAEVKRPILERYVAGKDERDTATPLGAVDFLVKLQEGKLLSAESTRVLLQIMTDVKTGAGRLKAGLPEGSKLAHKTGTGGDILGVNTATNDIGIATLPDGRKFAVAVFLTGSKESEEKRDAIHADVVRQFVDQLLAEAKE
`;

export function mountClassify(root: HTMLElement, navigate: (hash: string) => void): () => void {
  const controller = new AbortController();
  let files: File[] = [];

  const fileInput = h('input', {
    type: 'file',
    id: 'fasta-files',
    multiple: true,
    accept: '.fa,.faa,.fasta,.fas,.txt,.gz,text/plain,application/gzip',
    class: 'visually-hidden',
    'aria-describedby': 'input-help input-error',
  });
  const fileList = h('ul', { class: 'file-list', 'aria-label': 'Chosen files' });
  const dropzone = h(
    'div',
    { class: 'dropzone', 'data-testid': 'dropzone' },
    h(
      'label',
      { for: 'fasta-files', class: 'dropzone-label' },
      h('span', { class: 'dropzone-title' }, 'Drop FASTA files here, or choose files'),
      h('span', { class: 'muted' }, '.fa .faa .fasta, optionally gzipped (.gz); several at once'),
    ),
    fileInput,
  );
  const pasteArea = h('textarea', {
    id: 'fasta-paste',
    rows: 7,
    spellcheck: false,
    autocomplete: 'off',
    placeholder: '>protein_1 description\nMKT…',
    'aria-describedby': 'input-help input-error',
  });
  const errorRegion = h('div', {
    id: 'input-error',
    class: 'problem',
    role: 'alert',
    'aria-live': 'assertive',
    hidden: true,
    'data-testid': 'input-error',
  });
  const taskMulti = h('input', {
    type: 'radio',
    name: 'task',
    value: 'multiclass',
    id: 'task-multiclass',
    checked: true,
  });
  const taskBinary = h('input', {
    type: 'radio',
    name: 'task',
    value: 'binary',
    id: 'task-binary',
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Classify');
  const keyInput = h('input', {
    type: 'password',
    id: 'api-key',
    autocomplete: 'off',
    value: apiKey(),
  });
  const keyDetails = h(
    'details',
    { class: 'api-key' },
    h('summary', {}, 'API key'),
    h(
      'p',
      { class: 'muted' },
      'Only needed if the server was started with API keys (you are asked when it is). Kept for this tab only.',
    ),
    h('label', { for: 'api-key' }, 'X-API-Key'),
    keyInput,
  );
  const recent = h('section', { class: 'card', 'aria-labelledby': 'recent-title' });

  const form = h(
    'form',
    { class: 'card classify-form', novalidate: true, 'aria-labelledby': 'classify-title' },
    h('h1', { id: 'classify-title' }, 'Classify proteins'),
    h(
      'p',
      { id: 'input-help', class: 'muted' },
      'Each protein gets a call (β-lactamase or not, and its Ambler class), the class probabilities, its nearest reference protein with identity and coverage, and a novelty level.',
    ),
    h('fieldset', {}, h('legend', {}, 'Input'), dropzone, fileList),
    h(
      'div',
      { class: 'field' },
      h(
        'div',
        { class: 'label-row' },
        h('label', { for: 'fasta-paste' }, 'Or paste sequences (FASTA)'),
        h(
          'button',
          { type: 'button', class: 'link', 'data-action': 'example' },
          'Insert an example',
        ),
      ),
      pasteArea,
    ),
    errorRegion,
    h(
      'fieldset',
      { class: 'task' },
      h('legend', {}, 'Task'),
      h(
        'div',
        { class: 'radio' },
        taskMulti,
        h(
          'label',
          { for: 'task-multiclass' },
          h('strong', {}, 'Multiclass'),
          ' — Ambler class A, B, C, D or not a β-lactamase',
        ),
      ),
      h(
        'div',
        { class: 'radio' },
        taskBinary,
        h('label', { for: 'task-binary' }, h('strong', {}, 'Binary'), ' — β-lactamase or not'),
      ),
    ),
    keyDetails,
    h('div', { class: 'actions' }, submit),
  );

  replace(root, h('div', { class: 'classify-layout' }, form, recent));

  const renderFiles = (): void => {
    replace(
      fileList,
      files.map((f, i) => {
        const remove = h(
          'button',
          { type: 'button', class: 'icon', 'aria-label': `Remove ${f.name}` },
          '×',
        );
        on(remove, 'click', () => {
          files = files.filter((_, j) => j !== i);
          renderFiles();
          fileInput.focus();
        });
        return h(
          'li',
          {},
          h('span', {}, f.name),
          h('span', { class: 'muted' }, sizeText(f.size)),
          remove,
        );
      }),
    );
  };
  const addFiles = (list: FileList | null): void => {
    if (list === null) {
      return;
    }
    files = [...files, ...Array.from(list)];
    clearProblem(errorRegion);
    setInvalid(false);
    renderFiles();
  };
  const setInvalid = (invalid: boolean): void => {
    for (const el of [fileInput, pasteArea]) {
      if (invalid) {
        el.setAttribute('aria-invalid', 'true');
      } else {
        el.removeAttribute('aria-invalid');
      }
    }
    dropzone.classList.toggle('invalid', invalid);
  };

  on(fileInput, 'change', () => {
    addFiles(fileInput.files);
    fileInput.value = '';
  });
  on(dropzone, 'dragover', (e) => {
    e.preventDefault();
    dropzone.classList.add('dragging');
  });
  on(dropzone, 'dragleave', () => dropzone.classList.remove('dragging'));
  on(dropzone, 'drop', (e) => {
    e.preventDefault();
    dropzone.classList.remove('dragging');
    addFiles(e.dataTransfer?.files ?? null);
  });
  on(pasteArea, 'input', () => {
    clearProblem(errorRegion);
    setInvalid(false);
  });
  on(form, 'click', (e) => {
    if (e.target instanceof HTMLElement && e.target.dataset['action'] === 'example') {
      pasteArea.value = EXAMPLE;
      pasteArea.focus();
    }
  });
  on(keyInput, 'change', () => setApiKey(keyInput.value.trim()));

  on(form, 'submit', (e) => {
    e.preventDefault();
    const task: Task = taskBinary.checked ? 'binary' : 'multiclass';
    if (files.length === 0 && pasteArea.value.trim() === '') {
      replace(
        errorRegion,
        h('strong', {}, 'Nothing to classify.'),
        ' Choose or drop a FASTA file, or paste sequences starting with a ">id" line.',
      );
      errorRegion.hidden = false;
      setInvalid(true);
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Uploading…';
    clearProblem(errorRegion);
    submitJob({ task, files, pasted: pasteArea.value }, controller.signal)
      .then((job) => navigate(routeHash({ name: 'job', id: job.id, tab: 'table' })))
      .catch((err: unknown) => {
        if (controller.signal.aborted) {
          return;
        }
        showProblem(errorRegion, err);
        setInvalid(!(err instanceof ApiError && err.problem.status === 401));
        if (err instanceof ApiError && err.problem.status === 401) {
          keyDetails.open = true;
          keyInput.focus();
        }
        submit.disabled = false;
        submit.textContent = 'Classify';
      });
  });

  void loadRecent(recent, controller.signal);
  return () => controller.abort();
}

async function loadRecent(section: HTMLElement, signal: AbortSignal): Promise<void> {
  const title = h('h2', { id: 'recent-title' }, 'Recent jobs');
  let jobs: Job[];
  try {
    jobs = await listJobs(8, signal);
  } catch {
    replace(section, title, h('p', { class: 'muted' }, 'The job list is not available.'));
    return;
  }
  if (jobs.length === 0) {
    replace(section, title, h('p', { class: 'muted' }, 'No jobs yet.'));
    return;
  }
  replace(
    section,
    title,
    h(
      'ul',
      { class: 'recent-jobs' },
      jobs.map((j) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: routeHash({ name: 'job', id: j.id, tab: 'table' }) },
            j.input_name ?? j.id.slice(0, 8),
          ),
          h(
            'span',
            { class: `badge status-${j.status}`, title: JOB_STATUS_TEXT[j.status].meaning },
            JOB_STATUS_TEXT[j.status].label,
          ),
          h(
            'span',
            { class: 'muted' },
            `${j.task}${j.proteins_total === null ? '' : `, ${count(j.proteins_total)} proteins`} · ${dateTime(j.created_at)}`,
          ),
        ),
      ),
    ),
  );
}

function sizeText(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KiB`;
  }
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
