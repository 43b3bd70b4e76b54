// Entry of the debug build: every kernel of index.ts plus their scalar twins, so tests can run a
// SIMD path and its oracle on the same memory. Not for: production (the release builds export
// only index.ts).
export * from './index';
export * from './scalar';
