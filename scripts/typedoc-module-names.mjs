// A TypeDoc plugin (typedoc.json "plugin"): names each entry point's module by the specifier users
// import it with, from package.json "exports" ('wasm-mlp', 'wasm-mlp/node'), not by its file name.
import { readFileSync } from 'node:fs';
import { Converter, ReflectionKind } from 'typedoc';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
/** dist/index.js -> 'wasm-mlp', dist/node.js -> 'wasm-mlp/node', keyed by the source's base name. */
const names = new Map(Object.entries(pkg.exports).flatMap(([key, target]) => {
  const file = /^\.\/dist\/(\w+)\.js$/.exec(target.default ?? '')?.[1];
  return file ? [[file, key === '.' ? pkg.name : `${pkg.name}${key.slice(1)}`]] : [];
}));

export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    if (reflection.kindOf(ReflectionKind.Module) && names.has(reflection.name)) reflection.name = names.get(reflection.name);
  });
}
