// The code blocks of README.md that say where they run (`<!-- snippet: node -->` or `<!-- snippet:
// browser -->` on the line before the fence), for the tests that run them as written.
import { readFileSync } from 'node:fs';

export interface Snippet {
  where: 'node' | 'browser';
  line: number;
  code: string;
}

export function readmeSnippets(): Snippet[] {
  const lines = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!-- snippet: (node|browser)\b/.exec(lines[i]);
    if (!marker) continue;
    if (!/^```(js|ts)$/.test(lines[i + 1] ?? '')) throw new Error(`README.md:${i + 1}: a snippet marker must be followed by a js or ts fence`);
    const end = lines.indexOf('```', i + 2);
    snippets.push({ where: marker[1] as Snippet['where'], line: i + 3, code: lines.slice(i + 2, end).join('\n') + '\n' });
  }
  return snippets;
}
