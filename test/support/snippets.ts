// The code blocks of README.md and docs/*.md that say where they run (`<!-- snippet: node -->` or
// `<!-- snippet: browser -->` on the line before the fence), for the tests that run them as written.
import { readdirSync, readFileSync } from 'node:fs';

export interface Snippet {
  file: string;
  where: 'node' | 'browser';
  line: number;
  code: string;
}

const root = new URL('../../', import.meta.url);

/** README.md and the pages of docs/ (not the generated docs/api/), as paths from the repository root. */
export function docPages(): string[] {
  return ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

export function docSnippets(): Snippet[] {
  const snippets: Snippet[] = [];
  for (const file of docPages()) {
    const lines = readFileSync(new URL(file, root), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const marker = /^<!-- snippet: (node|browser)\b/.exec(lines[i]);
      if (!marker) continue;
      if (!/^```(js|ts)$/.test(lines[i + 1] ?? '')) throw new Error(`${file}:${i + 1}: a snippet marker must be followed by a js or ts fence`);
      const end = lines.indexOf('```', i + 2);
      snippets.push({ file, where: marker[1] as Snippet['where'], line: i + 3, code: lines.slice(i + 2, end).join('\n') + '\n' });
    }
  }
  return snippets;
}
