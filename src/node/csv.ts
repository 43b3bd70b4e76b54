// A CSV file of numeric features and a label column as a feature dataset, for Node: streamed
// through csv-parse (never held whole as text), with a header or without, every value checked.
// Not for: writing CSV, or CSV in browsers.
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { InvalidArgumentError, WasmMlpError } from '../core/errors.js';
import { createFeatureDataset, type FeatureDataset } from '../data/features.js';

export class CsvFormatError extends WasmMlpError {}

export interface CsvOptions {
  /** The label column: its header name, or its index (0-based; negative counts from the end). Default the last column. */
  labelColumn?: string | number;
  /** Whether the first row is a header; default: when any of its fields is not a number. */
  header?: boolean;
  /**
   * The classes' names in label order (a test file must use the training file's). Labels that are
   * all integers 0..255 are classes as they are; otherwise each distinct label is a class, named by
   * it, in sorted order.
   */
  classNames?: readonly string[];
  /** The most features (rows x features) to hold, a bound on memory; default 2^28 (1 GiB of f32). */
  maxValues?: number;
  /** Only the features, no label column (predict). */
  unlabelled?: boolean;
}

/** Reads `path` as rows of numeric features and a label. */
export async function readCsvDataset(path: string, options: CsvOptions = {}): Promise<FeatureDataset & { columns: string[] }> {
  const maxValues = options.maxValues ?? 2 ** 28;
  let features = new Float32Array(1 << 16);
  let used = 0;
  const labelTexts: string[] = [];
  let header: string[] | null = null;
  let width = -1;
  let labelAt = -1;
  let line = 0;
  const fail = (what: string) => new CsvFormatError(`${path}: ${what}`);
  const source = createReadStream(path);
  // a record (row) of more than 16 M characters is an error, not an ever-growing string
  const parser = source.pipe(parse({ relax_column_count: false, skip_empty_lines: true, trim: true, max_record_size: 1 << 24 }));
  source.on('error', (e) => parser.destroy(e)); // a missing file fails the loop instead of leaving it waiting
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line++;
      if (line === 1) {
        const isHeader = options.header ?? record.some((f) => f === '' || !Number.isFinite(Number(f)));
        if (isHeader) header = record;
        labelAt = options.unlabelled ? -1 : columnIndex(options.labelColumn ?? -1, header, record.length, path);
        width = record.length - (labelAt >= 0 ? 1 : 0);
        if (width < 1) throw fail('has no feature columns');
        if (isHeader) continue;
      }
      if (used + width > maxValues) throw fail(`more than ${maxValues} feature values at row ${line} (${(maxValues * 4) / 2 ** 20} MiB of f32): too big to train in wasm memory; sample or split it`);
      if (used + width > features.length) {
        const grown = new Float32Array(Math.min(maxValues, Math.max(features.length * 2, used + width)));
        grown.set(features.subarray(0, used));
        features = grown;
      }
      for (let c = 0, j = 0; c < record.length; c++) {
        if (c === labelAt) {
          if (record[c] === '') throw fail(`row ${line}, column ${name(c, header)}: the label is missing`);
          labelTexts.push(record[c]);
          continue;
        }
        const v = record[c] === '' ? NaN : Number(record[c]);
        if (!Number.isFinite(v)) throw fail(`row ${line}, column ${name(c, header)}: ${record[c] === '' ? 'missing value' : `${JSON.stringify(record[c])} is not a number`}`);
        features[used + j++] = v;
      }
      used += width;
    }
  } catch (cause) {
    if (cause instanceof WasmMlpError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') throw new WasmMlpError(`cannot read CSV file ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'permission denied'}`, { cause });
    throw fail(`not readable as CSV at row ${line + 1}: ${(cause as Error).message}`);
  } finally {
    source.destroy();
  }
  const count = used / Math.max(width, 1);
  if (count === 0) throw fail('has no data rows');
  const columns = header ? header.filter((_, c) => c !== labelAt) : Array.from({ length: width }, (_, j) => String(j));
  const x = features.slice(0, used);
  if (options.unlabelled) return { ...createFeatureDataset({ features: x, labels: new Uint8Array(count), width, classes: 1, name: path }), columns };
  const { labels, classNames } = labelsOf(labelTexts, options.classNames, path);
  return { ...createFeatureDataset({ features: x, labels, width, classNames, classes: classNames ? undefined : Math.max(...labels) + 1, name: path }), columns };
}

function name(c: number, header: string[] | null): string {
  return header ? `${JSON.stringify(header[c])} (${c})` : String(c);
}

function columnIndex(column: string | number, header: string[] | null, fields: number, path: string): number {
  if (typeof column === 'number' || /^-?\d+$/.test(column)) {
    const i = Number(column);
    const at = i < 0 ? fields + i : i;
    if (at < 0 || at >= fields) throw new InvalidArgumentError(`${path}: label column ${i} is not one of its ${fields} columns`);
    return at;
  }
  const at = header?.indexOf(column) ?? -1;
  if (at < 0) throw new InvalidArgumentError(`${path}: no column named ${JSON.stringify(column)}${header ? ` (it has ${header.join(', ')})` : ' (it has no header row)'}`);
  return at;
}

/** Class labels from label texts: integers 0..255 as they are, else names in sorted order (or the given ones). */
function labelsOf(texts: string[], given: readonly string[] | undefined, path: string): { labels: Uint8Array; classNames?: string[] } {
  const numeric = !given && texts.every((t) => /^\d+$/.test(t) && Number(t) <= 255);
  if (numeric) return { labels: Uint8Array.from(texts, Number) };
  const names = given ? [...given] : [...new Set(texts)].sort();
  if (names.length > 256) throw new CsvFormatError(`${path}: ${names.length} distinct labels, more than 256 classes`);
  const index = new Map(names.map((n, i) => [n, i]));
  const labels = new Uint8Array(texts.length);
  texts.forEach((t, i) => {
    const k = index.get(t);
    if (k === undefined) throw new CsvFormatError(`${path}: row ${i + 1}: label ${JSON.stringify(t)} is not one of the training classes (${names.join(', ')})`);
    labels[i] = k;
  });
  return { labels, classNames: names };
}
