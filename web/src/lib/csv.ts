// RFC 4180 CSV and plain TSV parsing for the prediction table the API serves.

/**
 * Splits CSV text into records of fields. Quoted fields may hold commas, quotes ("") and line
 * breaks; CRLF and LF both end a record; a trailing newline does not add an empty record.
 * @example parseCsv('a,b\n"x,1",2\n') // [['a','b'],['x,1','2']]
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 34 /* " */) {
        if (text.charCodeAt(i + 1) === 34) {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      // Copy the run up to the next quote in one slice: fields can be long.
      const next = text.indexOf('"', i);
      const end = next === -1 ? n : next;
      field += text.slice(i, end);
      i = end;
      continue;
    }
    if (c === 34 && field === '') {
      quoted = true;
      i += 1;
    } else if (c === 44 /* , */) {
      record.push(field);
      field = '';
      i += 1;
    } else if (c === 10 /* \n */ || c === 13 /* \r */) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else {
      // Plain field: copy up to the next separator in one slice.
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13) {
          break;
        }
        j += 1;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field !== '' || record.length > 0 || quoted) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** TSV has no quoting (the server replaces tabs and newlines inside fields by spaces). */
export function parseTsv(text: string): string[][] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') {
    lines.pop();
  }
  return lines.map((line) => line.split('\t'));
}
