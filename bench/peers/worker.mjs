// The peers bench's child-process protocol, for its JS workers (ours.mjs, jaxjs.mjs): with
// --serve, one JSON request a line on stdin ({"config": "B", "threads": 1, ...}), one JSON result
// a line on stdout, so bench/peers.mjs can alternate implementations without paying each one's
// start-up (data loading, imports) per measurement; without --serve, one run from the command
// line (--config X --threads T ...), printed the same way. Logs go to stderr.
// Not for: anything but the bench.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

/** Runs `measure(request)` once from argv, or for every request line on stdin with --serve (after a ready line with `info`). */
export async function serveOrRun(measure, extraOptions = {}, info = {}) {
  const { values } = parseArgs({
    options: { serve: { type: 'boolean', default: false }, config: { type: 'string', default: 'A' }, threads: { type: 'string', default: '1' }, examples: { type: 'string', default: '60000' }, ...extraOptions },
  });
  if (!values.serve) {
    const result = await measure({ ...values, threads: Number(values.threads), examples: Number(values.examples) });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(`${JSON.stringify({ ready: true, ...info })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    let reply;
    try {
      reply = await measure(JSON.parse(line));
    } catch (e) {
      reply = { error: String(e?.stack ?? e) };
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
}
