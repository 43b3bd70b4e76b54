// The training loop beside the network: epochs, seeded reshuffling, mini-batches, evaluation,
// hooks and abort. Not for: the math of a step (Network.trainBatch) or reading files.
import { isFeatures, type TrainingData } from '../core/datasets.js';
import { InvalidArgumentError, TrainingDivergedError } from '../core/errors.js';
import type { Network } from '../core/network.js';
import { checkOptimizer, type Optimizer, type StepSettings } from '../core/optimizer.js';
import { checkEta, checkPositiveInteger, checkSeed } from '../core/options.js';
import { Rng } from '../core/random.js';
import type { StagedDataset } from '../core/staging.js';
import type { RegularizeOptions } from '../core/regularize.js';
import { evaluation, type Evaluation } from './evaluate.js';
import { runsThreaded } from './engine.js';
import { checkSchedule, scheduledEta, type Schedule } from './schedule.js';

/** eta for the quadratic cost without 1/2: Nielsen's eta = 3.0 with his 1/2 is our 1.5. */
export const DEFAULT_ETA = 1.5;

export interface EpochMetrics {
  /** 1-based epoch number. */
  epoch: number;
  /** The learning rate this epoch used (after the schedule). */
  eta: number;
  /** Mean over the epoch's training examples of the cost (quadratic: sum_j (a_j - y_j)^2), each taken before its batch's update. */
  trainCost: number;
  /** Accuracy (0..1) and mean cost on the test set after this epoch; NaN without a test set. */
  testAccuracy: number;
  testCost: number;
  /** Accuracy (0..1) and mean cost on the validation set after this epoch; NaN without one. */
  validationAccuracy: number;
  validationCost: number;
  /** Seconds spent training (gather, forward, backprop, update) this epoch, evaluation excluded. */
  trainSeconds: number;
  /** Seconds spent evaluating after this epoch. */
  evalSeconds: number;
  /** Training examples per second of trainSeconds. */
  examplesPerSecond: number;
}

export interface BatchInfo {
  epoch: number;
  /** 0-based batch within the epoch, and the number of batches per epoch. */
  batch: number;
  batches: number;
  /** Mean cost of this batch's examples (before its update). */
  cost: number;
}

export interface TrainHooks {
  onBatchEnd?(info: BatchInfo): void;
  onEpochEnd?(metrics: EpochMetrics): void | Promise<void>;
}

export interface TrainOptions extends TrainHooks, RegularizeOptions {
  /** The epoch to stop after (1-based); with initialEpoch, epochs initialEpoch + 1 .. epochs run. Default 30. */
  epochs?: number;
  /**
   * Epochs already done (resuming from a checkpoint). Epoch e always shuffles with stream e of the
   * seed, so a resumed run gives the same bits as one that never stopped. Default 0.
   */
  initialEpoch?: number;
  batchSize?: number;
  eta?: number;
  /** Seeds the shuffling: epoch e uses stream e of the one PRNG. Default 1. */
  seed?: number;
  /** Evaluated after every epoch. */
  test?: TrainingData;
  /** Evaluated after every epoch too; with `patience`, training stops once its accuracy has not improved for that many epochs. */
  validation?: TrainingData;
  /** Early stopping: epochs without a better validation accuracy before training stops. Needs `validation`. */
  patience?: number;
  /** Stops training within one mini-batch; the history so far is returned with `aborted: true`. */
  signal?: AbortSignal;
  /** Longest stretch (ms) between yields to the event loop, so timers and abort can run. Default 50. */
  yieldEveryMs?: number;
  /** 'sgd' (the lecture, default), 'momentum' (v = mu v - eta g; W += v) or 'adam'. */
  optimizer?: Optimizer;
  /** Momentum coefficient mu. Default 0.9. */
  momentum?: number;
  /** Adam's beta1, beta2, epsilon. Defaults 0.9, 0.999, 1e-8. */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** L2 regularisation lambda, as Nielsen: cost + lambda / (2 N) sum w^2 over the N training examples (biases excluded). Default 0. */
  weightDecay?: number;
  /** Learning-rate schedule over epochs. Default constant. */
  schedule?: Schedule;
}

export interface TrainResult {
  history: EpochMetrics[];
  aborted: boolean;
  /** True when early stopping (patience) ended training before `epochs`. */
  stoppedEarly?: boolean;
}

/** Mini-batch stochastic gradient descent over `data`, reshuffled every epoch. */
export async function train(net: Network, data: TrainingData, options: TrainOptions = {}): Promise<TrainResult> {
  const epochs = options.epochs ?? 30;
  const batchSize = options.batchSize ?? 10;
  const eta = options.eta ?? DEFAULT_ETA;
  const seed = options.seed ?? 1;
  checkPositiveInteger('epochs', epochs);
  checkPositiveInteger('batchSize', batchSize);
  checkEta(eta);
  checkSeed(seed);
  const yieldEveryMs = options.yieldEveryMs ?? 50;
  const initialEpoch = options.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch >= epochs) {
    throw new InvalidArgumentError(`initialEpoch must be an integer from 0 to epochs - 1 = ${epochs - 1}, got ${initialEpoch}`);
  }
  const step = stepSettings(options, data.count);
  if (options.patience !== undefined) {
    checkPositiveInteger('patience', options.patience);
    if (!options.validation) throw new InvalidArgumentError('patience (early stopping) needs a validation set');
  }
  const schedule = options.schedule ?? { kind: 'constant' };
  checkSchedule(schedule);
  await net.prepareOptimizer(step.optimizer);
  net.ensureCapacity(batchSize);
  const n = data.count;

  // The loop, written once whatever trains (the step engine below, or the GPU: src/gpu/run.ts), and
  // kept in this function so that it reads the settings as locals (the main bundle's budget):
  // epochs, each shuffled, trained by `run` and scored by `score`; the history, the hooks, early stopping.
  const loop = async (run: Epoch, score: Score): Promise<TrainResult> => {
    let bestValidation = -1;
    let sinceBest = 0;
    const indices = new Uint32Array(n);
    const history: EpochMetrics[] = [];
    for (let epoch = initialEpoch + 1; epoch <= epochs; epoch++) {
      for (let i = 0; i < n; i++) indices[i] = i;
      new Rng(seed, epoch).shuffle(indices);
      const rate = scheduledEta(eta, schedule, epoch, epochs);
      const trained = await run(epoch, indices, rate);
      if (!trained) return { history, aborted: true };
      const [cost, seconds] = trained;
      const e0 = now();
      const scored = options.test ? await score(options.test) : { accuracy: NaN, cost: NaN };
      const checked = options.validation ? await score(options.validation) : { accuracy: NaN, cost: NaN };
      const metrics: EpochMetrics = {
        epoch,
        eta: rate,
        trainCost: cost / n,
        testAccuracy: scored.accuracy,
        testCost: scored.cost,
        validationAccuracy: checked.accuracy,
        validationCost: checked.cost,
        trainSeconds: seconds,
        evalSeconds: (now() - e0) / 1000,
        examplesPerSecond: n / seconds,
      };
      history.push(metrics);
      await options.onEpochEnd?.(metrics);
      if (options.validation && options.patience !== undefined) {
        if (checked.accuracy > bestValidation) {
          bestValidation = checked.accuracy;
          sinceBest = 0;
        } else if (++sinceBest >= options.patience) {
          return { history, aborted: false, stoppedEarly: epoch < epochs };
        }
      }
    }
    return { history, aborted: false, stoppedEarly: false };
  };
  // loaded only by networks made with kernels 'webgpu': the run's epochs on the GPU (src/gpu/)
  if (net.gpu !== undefined) return (await import('../gpu/run.js')).train(net, data, { ...options, batchSize, seed, step }, loop);
  const { dropout, maxNorm, augment } = options;
  const regularized = dropout !== undefined || maxNorm !== undefined || augment !== undefined;
  return net.withStaged(async (stage) => {
    const train = stage(data);
    if (options.test) stage(options.test);
    if (options.validation) stage(options.validation);
    try {
      if (regularized) await net.regularize({ dropout, maxNorm, augment }, isFeatures(data) ? {} : data);
      // loaded, with the pool, only by networks that train on threads: most pages never download it
      if (net.threads > 1) await (await import('./threads.js')).startThreads(net, runsThreaded);
      const batches = Math.ceil(n / batchSize);
      let lastYield = now();
      // an epoch of mini-batches on the network's step engine (one thread or threads), yielding every yieldEveryMs
      const epochOnCpu: Epoch = async (epoch, indices, rate) => {
        const lastGood = net.getParameters();
        net.beginEpoch(seed, epoch);
        let costSum = 0;
        let seconds = 0;
        let t0 = now();
        for (let b = 0; b < batches; b++) {
          if (options.signal?.aborted) return null;
          const start = b * batchSize;
          const m = Math.min(batchSize, n - start);
          const cost = net.trainBatch(train, indices, start, m, rate, step);
          if (!Number.isFinite(cost)) {
            net.setParameters(lastGood);
            throw new TrainingDivergedError(epoch, b + 1, batches, cost, rate);
          }
          costSum += cost;
          options.onBatchEnd?.({ epoch, batch: b, batches, cost: cost / m });
          const t = now();
          if (t - lastYield >= yieldEveryMs) {
            seconds += (t - t0) / 1000;
            await yieldToEventLoop();
            lastYield = t0 = now();
          }
        }
        return [costSum, seconds + (now() - t0) / 1000];
      };
      return await loop(epochOnCpu, (d) => evaluation(net, stage(d)));
    } finally {
      if (regularized) await net.regularize(null);
    }
  });
}

function stepSettings(o: TrainOptions, count: number): StepSettings {
  const optimizer = o.optimizer ?? 'sgd';
  checkOptimizer(optimizer);
  const unit = (name: string, v: number) => {
    if (!(v >= 0 && v < 1)) throw new InvalidArgumentError(`${name} must be in [0, 1), got ${v}`);
    return v;
  };
  const weightDecay = o.weightDecay ?? 0;
  if (!(weightDecay >= 0) || !Number.isFinite(weightDecay)) throw new InvalidArgumentError(`weightDecay must be a finite number >= 0, got ${weightDecay}`);
  const epsilon = o.epsilon ?? 1e-8;
  if (!(epsilon > 0)) throw new InvalidArgumentError(`epsilon must be > 0, got ${epsilon}`);
  return {
    optimizer,
    momentum: unit('momentum', o.momentum ?? 0.9),
    beta1: unit('beta1', o.beta1 ?? 0.9),
    beta2: unit('beta2', o.beta2 ?? 0.999),
    epsilon,
    decayPerExample: weightDecay / count,
  };
}

/**
 * An epoch on whatever trains (the network's step engine: train(); the GPU: src/gpu/run.ts): epoch
 * `epoch` over `indices` (the seeded shuffle) in mini-batches, calling onBatchEnd; returns its
 * summed cost and the seconds it trained, or null when aborted. A batch whose cost is not finite
 * restores the parameters of the epoch before and throws TrainingDivergedError.
 */
export type Epoch = (epoch: number, indices: Uint32Array, eta: number) => Promise<[cost: number, seconds: number] | null>;
/** The evaluation of a test or validation set after an epoch. */
export type Score = (data: TrainingData) => Evaluation | Promise<Evaluation>;

function now(): number {
  return performance.now();
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
