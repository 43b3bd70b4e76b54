// The log-softmax output (a model exported with LogSoftmax returns it), taken over forward()'s
// result, a few logs per example in f64, and loaded only by networks that return it. Not for:
// training, which goes through the cost's output function (the softmax kernel).

/** Each row of K values of `a`, in place: z becomes ln softmax(z) = z - (max + ln sum_j e^(z_j - max)). */
export function logSoftmaxRows(a: Float32Array, K: number): void {
  for (let r = 0; r < a.length; r += K) {
    const z = a.subarray(r, r + K);
    const max = z.reduce((m, v) => Math.max(m, v));
    const log = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
    z.forEach((v, j) => (z[j] = v - log));
  }
}
