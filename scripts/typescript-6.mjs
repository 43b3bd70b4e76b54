// Lets TypeDoc run beside TypeScript 7: `node --import ./scripts/typescript-6.mjs typedoc` sends
// TypeDoc's `import 'typescript'` to the devDependency `typescript-6` (npm:typescript@6.0.3, the
// last line with the JS compiler API TypeDoc needs); everything else keeps TypeScript 7.
import { register } from 'node:module';

const hook = `export async function resolve(specifier, context, next) {
  const fromTypedoc = specifier === 'typescript' && /\\/node_modules\\/typedoc[^/]*\\//.test(context.parentURL ?? '');
  return next(fromTypedoc ? 'typescript-6' : specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);
