// The house's stairs run one way: every import in src/ (static, dynamic, type-only) goes to the
// same folder or a lower floor (cli, web -> node -> train -> io, data -> parallel, gpu -> core), no two
// folders and no two files import each other in a cycle, and no file or class outgrows a reading.
// Not for: what the modules do.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Floors, low to high; folders on one floor may import each other's files, but not in a cycle. */
const FLOORS: Record<string, number> = { core: 0, parallel: 1, gpu: 1, data: 2, io: 2, train: 3, node: 4, cli: 5, web: 5 };
/** The package's entries (src/index.ts, src/node.ts, src/cli.ts): they may import any floor, and only the top floors import them. */
const ENTRY = 'entry';

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** src/core/x.ts -> core; src/index.ts -> entry; web/x.ts -> web. */
function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'web') return 'web';
  return file === 'src/cli.ts' ? 'cli' : parts.length === 2 ? ENTRY : parts[1];
}

/** The project files `file` imports (relative specifiers only), resolved to their .ts sources. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm)].map((m) => m[1]);
  return specs.map((s) => relative(root, resolve(root, dirname(file), s)).replace(/\.js$/, '.ts'));
}

const all = [...files('src'), ...files('web')];
const graph = new Map(all.map((f) => [f, importsOf(f).filter((t) => t.startsWith('src/') || t.startsWith('web/'))]));

/** Strongly connected components with more than one member (Tarjan), as sorted lists. */
function cycles(nodes: string[], edges: (n: string) => string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const n of nodes) if (!idx.has(n)) visit(n);
  return out;
}

describe('the folders point one way', () => {
  it('every import goes to the same folder or a lower floor; the entries are imported only from the top floors', () => {
    const wrong: string[] = [];
    for (const [from, targets] of graph) {
      const a = folderOf(from);
      for (const to of targets) {
        const b = folderOf(to);
        if (a === b || a === ENTRY) continue;
        if (b === ENTRY ? FLOORS[a] < FLOORS.cli : FLOORS[b] > FLOORS[a]) wrong.push(`${from} -> ${to}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the floors are the folders there are', () => {
    const folders = new Set(all.map(folderOf));
    folders.delete(ENTRY);
    expect([...folders].sort()).toEqual(Object.keys(FLOORS).sort());
  });

  it('no two folders import each other, directly or around a loop', () => {
    const edges = new Map<string, Set<string>>();
    for (const [from, targets] of graph) for (const to of targets) if (folderOf(from) !== folderOf(to)) (edges.get(folderOf(from)) ?? edges.set(folderOf(from), new Set()).get(folderOf(from))!).add(folderOf(to));
    expect(cycles([...new Set(all.map(folderOf))], (n) => [...(edges.get(n) ?? [])])).toEqual([]);
  });

  it('no file cycles', () => {
    expect(cycles(all, (n) => graph.get(n) ?? [])).toEqual([]);
  });

  it('this test reads the imports it claims to (a known arrow is found)', () => {
    expect(graph.get('src/train/train.ts')).toContain('src/core/optimizer.ts');
    expect(graph.get('src/train/train.ts')).toContain('src/gpu/run.ts'); // a dynamic import
  });
});

describe('files a reader can hold', () => {
  const sized = all.filter((f) => !f.endsWith('.generated.ts'));
  it('no file in src/ or web/ over 300 lines', () => {
    const long = sized.map((f) => [f, readFileSync(join(root, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 300);
    expect(long).toEqual([]);
  });

  it('no class over 250 lines', () => {
    const long: string[] = [];
    for (const f of sized) {
      const lines = readFileSync(join(root, f), 'utf8').split('\n');
      lines.forEach((line, i) => {
        const m = /^(?:export )?(?:abstract )?class (\w+)/.exec(line);
        if (!m) return;
        const end = lines.findIndex((l, j) => j > i && l === '}');
        if (end - i + 1 > 250) long.push(`${f}: ${m[1]} (${end - i + 1} lines)`);
      });
    }
    expect(long).toEqual([]);
  });
});
