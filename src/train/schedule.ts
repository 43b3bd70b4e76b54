// Learning-rate schedules over epochs: constant (the lecture), step decay, cosine. Not for: the
// per-step update (core/optimizer.ts).
import { InvalidArgumentError } from '../core/errors.js';

/** eta for each epoch: constant; times `factor` every `every` epochs; or a cosine from eta down to `min`. */
export type Schedule = { kind: 'constant' } | { kind: 'step'; every: number; factor: number } | { kind: 'cosine'; min?: number };

/** The learning rate of epoch e (1-based) of `epochs`. */
export function scheduledEta(eta: number, schedule: Schedule, epoch: number, epochs: number): number {
  switch (schedule.kind) {
    case 'constant':
      return eta;
    case 'step':
      return eta * schedule.factor ** Math.floor((epoch - 1) / schedule.every);
    case 'cosine': {
      const min = schedule.min ?? 0;
      return min + (eta - min) * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs));
    }
  }
}

export function checkSchedule(s: Schedule): void {
  const bad = (why: string) => new InvalidArgumentError(`schedule ${JSON.stringify(s)}: ${why}`);
  if (s.kind === 'step') {
    if (!Number.isInteger(s.every) || s.every < 1) throw bad('every must be a positive integer');
    if (!(s.factor > 0 && s.factor <= 1)) throw bad('factor must be in (0, 1]');
  } else if (s.kind === 'cosine') {
    if (s.min !== undefined && !(s.min >= 0)) throw bad('min must be >= 0');
  } else if (s.kind !== 'constant') throw bad("kind must be 'constant', 'step' or 'cosine'");
}
