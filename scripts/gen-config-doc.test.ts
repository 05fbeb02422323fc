import { readFile } from 'node:fs/promises';

import { expect, it } from 'vitest';

import { DOC_PATH, renderConfigDoc } from './gen-config-doc.ts';

it('docs/config.md matches the schema and configs/ (regenerate: npx tsx scripts/gen-config-doc.ts)', async () => {
  const current = await readFile(DOC_PATH, 'utf8');
  expect(await renderConfigDoc(current)).toBe(current);
});
