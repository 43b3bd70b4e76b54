// The kernel table's rows as compute pipelines of one device (compiled once per device and
// settings), all on one layout scheme: group 0 the step uniform at a dynamic offset, group 1 the
// kernel's storage buffers then its args uniform; and the bind groups a run dispatches them with.
// Not for: which kernels run when (step.ts), or the buffers' contents (buffers.ts).
import type { Activation } from '../core/costs.js';
import { GPU_KERNELS, gpuKernel } from './kernels.js';
import { binding, declarations, field, PRELUDE, STEP_BYTES, type GpuKernel, type KernelSettings } from './wgsl.js';

// GPUBufferUsage, GPUShaderStage and GPUMapMode as numbers: Node's `webgpu` package leaves the globals undefined
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const COMPUTE = 0x4;
export const MAP_READ = 0x1;

/** A kernel's whole WGSL for a run's settings. */
export function kernelSource(k: GpuKernel, s: KernelSettings): string {
  return `${declarations(k.buffers, k.args)}\n${PRELUDE}\n${k.code(s)}`;
}

interface DeviceKernels {
  step: GPUBindGroupLayout;
  groups: Map<string, GPUBindGroupLayout>;
  pipelines: Map<string, Promise<GPUComputePipeline>>;
}

const perDevice = new WeakMap<GPUDevice, DeviceKernels>();

/** A device's kernels for one run's settings, and the bind groups of that run (destroy() frees their uniforms). */
export class Pipelines {
  private readonly uniforms: GPUBuffer[] = [];

  private constructor(
    readonly device: GPUDevice,
    private readonly kernels: DeviceKernels,
    private readonly compiled: Map<string, GPUComputePipeline>,
  ) {}

  /**
   * Compiles (once per device and settings) the kernels of the table a run uses: all but those
   * `skip` names, the rows that apply an activation once for each of `activations` (pipeline(name,
   * activation) then names one).
   */
  static async compile(device: GPUDevice, s: Omit<KernelSettings, 'activation'> & { activations: readonly Activation[] }, skip: readonly string[] = []): Promise<Pipelines> {
    let kernels = perDevice.get(device);
    if (!kernels) {
      const step = device.createBindGroupLayout({ entries: [{ binding: 0, visibility: COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: STEP_BYTES } }] });
      kernels = { step, groups: new Map(), pipelines: new Map() };
      perDevice.set(device, kernels);
    }
    const compiled = new Map<string, GPUComputePipeline>();
    const jobs = GPU_KERNELS.filter((k) => !skip.includes(k.name)).flatMap((k) => (k.activated ? [...new Set(s.activations)] : ['sigmoid' as const]).map((activation) => ({ k, activation })));
    await Promise.all(jobs.map(async ({ k, activation }) => compiled.set(key(k, activation), await pipeline(device, kernels, k, { ...s, activation }))));
    return new Pipelines(device, kernels, compiled);
  }

  /** The bind group layout of the step uniform (group 0). */
  get stepLayout(): GPUBindGroupLayout {
    return this.kernels.step;
  }

  /** Kernel `name`'s pipeline; for a row that applies an activation, the one compiled for `activation`. */
  pipeline(name: string, activation?: Activation): GPUComputePipeline {
    return this.compiled.get(key(gpuKernel(name), activation ?? 'sigmoid'))!;
  }

  /** Kernel `name`'s group 1: `buffers` in its binding order, and its args (numbers in the order of its fields). */
  bind(name: string, buffers: readonly GPUBuffer[], args: readonly number[] = []): GPUBindGroup {
    const k = gpuKernel(name);
    if (buffers.length !== k.buffers.length || args.length !== k.args.length) throw new Error(`${name}: expected ${k.buffers.length} buffers and ${k.args.length} args`);
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, i) => ({ binding: i, resource: { buffer } }));
    if (k.args.length) {
      const data = new DataView(new ArrayBuffer(Math.ceil(k.args.length / 4) * 16));
      k.args.forEach((f, i) => (field(f)[1] === 'f32' ? data.setFloat32(4 * i, args[i], true) : data.setUint32(4 * i, args[i] >>> 0, true)));
      const buffer = this.device.createBuffer({ size: data.byteLength, usage: USAGE.UNIFORM | USAGE.COPY_DST });
      this.device.queue.writeBuffer(buffer, 0, data.buffer);
      this.uniforms.push(buffer);
      entries.push({ binding: k.buffers.length, resource: { buffer } });
    }
    return this.device.createBindGroup({ layout: groupLayout(this.device, this.kernels, k), entries });
  }

  /** Frees the args uniforms of the bind groups made so far. */
  destroy(): void {
    for (const b of this.uniforms.splice(0)) b.destroy();
  }
}

/** Where a compiled row is kept: its name, and its activation for the rows that apply one. */
function key(k: GpuKernel, activation: Activation): string {
  return k.activated ? `${k.name}:${activation}` : k.name;
}

function groupLayout(device: GPUDevice, kernels: DeviceKernels, k: GpuKernel): GPUBindGroupLayout {
  let layout = kernels.groups.get(k.name);
  if (!layout) {
    const entries: GPUBindGroupLayoutEntry[] = k.buffers.map((spec, i) => ({ binding: i, visibility: COMPUTE, buffer: { type: binding(spec).writable ? 'storage' : 'read-only-storage' } }));
    if (k.args.length) entries.push({ binding: k.buffers.length, visibility: COMPUTE, buffer: { type: 'uniform' } });
    layout = device.createBindGroupLayout({ entries });
    kernels.groups.set(k.name, layout);
  }
  return layout;
}

function pipeline(device: GPUDevice, kernels: DeviceKernels, k: GpuKernel, s: KernelSettings): Promise<GPUComputePipeline> {
  const code = kernelSource(k, s);
  let made = kernels.pipelines.get(code);
  if (!made) {
    made = (async () => {
      const module = device.createShaderModule({ code, label: k.name });
      const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
      if (errors.length) throw new Error(`GPU kernel ${k.name} does not compile: ${errors.map((e) => `${e.lineNum}:${e.linePos} ${e.message}`).join('; ')}`);
      const layout = device.createPipelineLayout({ bindGroupLayouts: [kernels.step, groupLayout(device, kernels, k)] });
      // not createComputePipelineAsync: Dawn for Node (webgpu 0.6) aborts the process in it
      return device.createComputePipeline({ layout, compute: { module, entryPoint: 'main' }, label: k.name });
    })();
    kernels.pipelines.set(code, made);
  }
  return made;
}
