// The same training step as wasm-mlp's, in C, for the bench's "how far from native" row: sigmoid
// layers, quadratic cost, mini-batch SGD; the first layer from each example's nonzero pixels with
// W^1 kept transposed and updated example by example; layers 2+ dense, backprop fused with the
// update. One thread, f32. Built by bench/run.mjs with `cc -O3 -march=native` when a C compiler
// exists. Not for: anything but timing (it checks nothing; wasm-mlp's tests are the oracle).
//
// Usage: mlp IMAGES LABELS SIZES BATCH EXAMPLES   e.g. mlp train-images train-labels 784,30,10 10 60000
// Prints one JSON line: {"seconds": s, "examples": n, "testCost": c} for one epoch (after a
// warm-up pass over 2,000 examples).
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LAYERS 8

static uint32_t rng_state = 1;
static uint32_t next_u32(void) {  // xorshift32: the bench needs speed, not wasm-mlp's exact draws
  uint32_t x = rng_state;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return rng_state = x;
}
static float normal(void) {
  float u = (next_u32() + 1.0f) / 4294967297.0f, v = next_u32() / 4294967296.0f;
  return sqrtf(-2.0f * logf(u)) * cosf(6.2831853f * v);
}

static uint8_t *read_idx(const char *path, int dims, int *count, int *size) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  uint8_t head[16];
  if (fread(head, 1, 4 + 4 * dims, f) != (size_t)(4 + 4 * dims)) { fprintf(stderr, "%s: short header\n", path); exit(2); }
  *count = head[4] << 24 | head[5] << 16 | head[6] << 8 | head[7];
  *size = 1;
  for (int d = 1; d < dims; d++) *size *= head[4 + 4 * d] << 24 | head[5 + 4 * d] << 16 | head[6 + 4 * d] << 8 | head[7 + 4 * d];
  uint8_t *data = malloc((size_t)*count * *size);
  if (fread(data, 1, (size_t)*count * *size, f) != (size_t)*count * *size) { fprintf(stderr, "%s: short data\n", path); exit(2); }
  fclose(f);
  return data;
}

static inline float sigmoid(float z) { return 1.0f / (1.0f + expf(-z)); }

typedef struct {
  int L, sizes[MAX_LAYERS + 1];
  float *W[MAX_LAYERS + 1], *b[MAX_LAYERS + 1];  // W[1] is W^1 transposed: (inputs, stride); W[l >= 2] row-major (rows, cols)
  int stride;  // W^1's rows padded to whole 64-byte lines, as wasm-mlp pads them: the inner loops have no remainder
  float *a[MAX_LAYERS + 1], *delta[MAX_LAYERS + 1];  // (batch, width)
  int *list, *counts;
  float *vals, *pad;  // pad: (stride) one example's z^1 or delta^1, zero beyond the rows
  uint32_t *csr_start;  // the dataset's nonzero pixels, made once: (count + 1) starts, columns, values
  int *csr_col;
  float *csr_val;
} Net;

static void step(Net *net, const uint8_t *labels, const uint32_t *idx, int m, float eta, double *cost) {
  const int L = net->L, C = net->sizes[0];
  const float scale = eta / m;
  // gather: each example's nonzero pixels, scaled to [0, 1], from the table made once (as wasm-mlp
  // stages a dataset's run table once, outside the epoch)
  for (int n = 0; n < m; n++) {
    const uint32_t k = idx[n], start = net->csr_start[k], c = net->csr_start[k + 1] - start;
    memcpy(net->list + n * C, net->csr_col + start, c * sizeof(int));
    memcpy(net->vals + n * C, net->csr_val + start, c * sizeof(float));
    net->counts[n] = (int)c;
  }
  // forward
  for (int l = 1; l <= L; l++) {
    const int R = net->sizes[l], K = net->sizes[l - 1];
    for (int n = 0; n < m; n++) {
      float *z = net->a[l] + (size_t)n * R;
      memcpy(z, net->b[l], R * sizeof(float));
      if (l == 1) {
        float *zz = net->pad;
        memset(zz, 0, net->stride * sizeof(float));
        for (int t = 0; t < net->counts[n]; t++) {
          const float x = net->vals[n * C + t];
          const float *w = net->W[1] + (size_t)net->list[n * C + t] * net->stride;
          for (int j = 0; j < net->stride; j++) zz[j] += x * w[j];
        }
        for (int j = 0; j < R; j++) z[j] += zz[j];
      } else {
        const float *x = net->a[l - 1] + (size_t)n * K;
        for (int j = 0; j < R; j++) {
          const float *w = net->W[l] + (size_t)j * K;
          // 8 partial sums (lanes), as wasm-mlp's f32x4 tiles keep 4: the compiler vectorises them
          float s[8] = {0};
          int i = 0;
          for (; i + 8 <= K; i += 8) for (int k = 0; k < 8; k++) s[k] += w[i + k] * x[i + k];
          for (; i < K; i++) s[0] += w[i] * x[i];
          z[j] += ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        }
      }
      for (int j = 0; j < R; j++) z[j] = sigmoid(z[j]);
    }
  }
  // output delta and cost
  const int K = net->sizes[L];
  for (int n = 0; n < m; n++) {
    for (int j = 0; j < K; j++) {
      const float s = net->a[L][n * K + j], y = j == labels[idx[n]] ? 1.0f : 0.0f;
      *cost += (double)(s - y) * (s - y);
      net->delta[L][n * K + j] = 2.0f * (s - y) * s * (1.0f - s);
    }
  }
  // backprop fused with the update, layer by layer from the top
  for (int l = L; l >= 1; l--) {
    const int R = net->sizes[l], Cl = net->sizes[l - 1];
    if (l > 1) {
      for (int n = 0; n < m; n++) {
        float *below = net->delta[l - 1] + (size_t)n * Cl;
        const float *d = net->delta[l] + (size_t)n * R, *a = net->a[l - 1] + (size_t)n * Cl;
        memset(below, 0, Cl * sizeof(float));
        for (int j = 0; j < R; j++) {
          const float *w = net->W[l] + (size_t)j * Cl;
          for (int i = 0; i < Cl; i++) below[i] += d[j] * w[i];
        }
        for (int i = 0; i < Cl; i++) below[i] *= a[i] * (1.0f - a[i]);
      }
      for (int j = 0; j < R; j++) {
        float *w = net->W[l] + (size_t)j * Cl;
        float gb = 0;
        for (int n = 0; n < m; n++) {
          const float d = net->delta[l][n * R + j] * scale;
          const float *a = net->a[l - 1] + (size_t)n * Cl;
          for (int i = 0; i < Cl; i++) w[i] -= d * a[i];
          gb += net->delta[l][n * R + j];
        }
        net->b[l][j] -= scale * gb;
      }
    } else {
      for (int n = 0; n < m; n++) {
        float *d = net->pad;
        memset(d, 0, net->stride * sizeof(float));
        memcpy(d, net->delta[1] + (size_t)n * R, R * sizeof(float));
        for (int t = 0; t < net->counts[n]; t++) {
          const float x = net->vals[n * C + t] * -scale;
          float *w = net->W[1] + (size_t)net->list[n * C + t] * net->stride;
          for (int j = 0; j < net->stride; j++) w[j] += x * d[j];
        }
      }
      for (int j = 0; j < R; j++) {
        float gb = 0;
        for (int n = 0; n < m; n++) gb += net->delta[1][n * R + j];
        net->b[1][j] -= scale * gb;
      }
    }
  }
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: %s IMAGES LABELS SIZES BATCH EXAMPLES\n", argv[0]); return 2; }
  int count, pixels, lcount, one;
  uint8_t *images = read_idx(argv[1], 3, &count, &pixels);
  uint8_t *labels = read_idx(argv[2], 1, &lcount, &one);
  Net net = {0};
  for (char *s = argv[3]; *s; ) { net.sizes[net.L++] = (int)strtol(s, &s, 10); if (*s == ',') s++; }
  net.L--;
  const int batch = atoi(argv[4]), examples = atoi(argv[5]) < count ? atoi(argv[5]) : count;
  size_t nonzero = 0;
  for (size_t i = 0; i < (size_t)count * pixels; i++) nonzero += images[i] != 0;
  net.csr_start = malloc((count + 1) * sizeof(uint32_t));
  net.csr_col = malloc(nonzero * sizeof(int));
  net.csr_val = malloc(nonzero * sizeof(float));
  for (size_t k = 0, t = 0; k < (size_t)count; k++) {
    net.csr_start[k] = (uint32_t)t;
    for (int i = 0; i < pixels; i++) {
      const uint8_t v = images[k * pixels + i];
      if (v) { net.csr_col[t] = i; net.csr_val[t] = v * (1.0f / 255.0f); t++; }
    }
    net.csr_start[k + 1] = (uint32_t)t;
  }
  net.stride = (net.sizes[1] + 15) / 16 * 16;
  net.pad = aligned_alloc(64, net.stride * sizeof(float));
  for (int l = 1; l <= net.L; l++) {
    const size_t R = net.sizes[l], K = net.sizes[l - 1], width = l == 1 ? (size_t)net.stride : R;
    net.W[l] = aligned_alloc(64, (K * width * sizeof(float) + 63) / 64 * 64);
    net.b[l] = malloc(R * sizeof(float));
    for (size_t i = 0; i < K; i++) for (size_t j = 0; j < width; j++) net.W[l][i * width + j] = j < R ? normal() : 0.0f;
    for (size_t j = 0; j < R; j++) net.b[l][j] = normal();
  }
  for (int l = 0; l <= net.L; l++) {
    net.a[l] = malloc((size_t)batch * net.sizes[l] * sizeof(float));
    net.delta[l] = malloc((size_t)batch * net.sizes[l] * sizeof(float));
  }
  net.list = malloc((size_t)batch * pixels * sizeof(int));
  net.vals = malloc((size_t)batch * pixels * sizeof(float));
  net.counts = malloc(batch * sizeof(int));
  uint32_t *idx = malloc(examples * sizeof(uint32_t));
  for (int i = 0; i < examples; i++) idx[i] = i;
  double cost = 0;
  for (int s = 0; s + batch <= 2000 && s + batch <= examples; s += batch) step(&net, labels, idx + s, batch, 1.5f, &cost);  // warm-up
  for (int i = examples - 1; i > 0; i--) { uint32_t j = next_u32() % (i + 1), t = idx[i]; idx[i] = idx[j]; idx[j] = t; }
  cost = 0;
  const double t0 = now();
  for (int s = 0; s < examples; s += batch) step(&net, labels, idx + s, s + batch <= examples ? batch : examples - s, 1.5f, &cost);
  const double seconds = now() - t0;
  printf("{\"seconds\": %.6f, \"examples\": %d, \"trainCost\": %.6f}\n", seconds, examples, cost / examples);
  return 0;
}
