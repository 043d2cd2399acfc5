/**
 * @module TensorFlow.js backend selection. In `auto` mode the order is tfjs-node-gpu, tfjs-node,
 * wasm, cpu: the native bindings are optional dependencies whose libtensorflow download may have
 * failed at install, so each is tried and the reason it was skipped is kept for the status report.
 */
import { readFileSync } from 'node:fs';
import * as tfjs from '@tensorflow/tfjs';
import { NunchiError } from './errors.ts';
import { getLogger } from './logger.ts';

export type Tf = typeof tfjs;
export type BackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export type BackendRequest = BackendName | 'auto';

/** The backend that runs tensor ops, as measured after initialisation rather than as requested. */
export interface BackendInfo {
  /** Package that provides the kernels. */
  name: BackendName;
  /** tf.getBackend() after initialisation: 'tensorflow', 'wasm' or 'cpu'. */
  tfBackend: string;
  /** True only when CUDA and cuDNN libraries are loaded into this process. */
  gpu: boolean;
  /** Earlier candidates with the reason each was skipped. */
  skipped: { name: BackendName; reason: string }[];
  /** Extra facts about the backend, such as WASM SIMD support. */
  notes: string[];
}

const ORDER: BackendName[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

let state: { tf: Tf; info: BackendInfo } | undefined;

/**
 * Loads CUDA runtime and cuDNN libraries visible in this process's memory map. tfjs-node-gpu 4.x
 * needs CUDA 11.2 and cuDNN 8.1; without them it silently runs CPU kernels.
 */
function loadedGpuLibraries(): string[] {
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const found = new Set<string>();
    for (const match of maps.matchAll(/lib(cudart|cudnn|cublas)\.so[.\d]*/g)) found.add(match[0]);
    return [...found];
  } catch {
    return [];
  }
}

async function tryNative(name: 'tfjs-node-gpu' | 'tfjs-node'): Promise<void> {
  // The native packages register the 'tensorflow' backend with the shared tfjs-core on import.
  await import(name === 'tfjs-node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
  const ok = await tfjs.setBackend('tensorflow');
  if (!ok) throw new Error('the tensorflow backend failed to initialise');
}

async function tryBackend(name: BackendName): Promise<string[]> {
  if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
    await tryNative(name);
    return [];
  }
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tfjs.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
    const simd = tfjs.env().getBool('WASM_HAS_SIMD_SUPPORT');
    return [`WASM SIMD ${simd ? 'on' : 'off'}`];
  }
  if (!(await tfjs.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  return [];
}

/**
 * Initialises TensorFlow.js once per process and returns it with a description of what runs.
 *
 * @param request 'auto' tries each backend in order; a named backend is used or fails.
 * @throws NunchiError BACKEND_UNAVAILABLE when a named backend cannot load.
 */
export async function initTf(
  request: BackendRequest = 'auto',
): Promise<{ tf: Tf; info: BackendInfo }> {
  if (state) return state;
  const log = getLogger('tf');
  const candidates = request === 'auto' ? ORDER : [request];
  const skipped: BackendInfo['skipped'] = [];
  for (const name of candidates) {
    try {
      const notes = await tryBackend(name);
      await tfjs.ready();
      // One small op so that lazily loaded GPU libraries appear in the memory map.
      tfjs.tidy(() => tfjs.matMul(tfjs.ones([8, 8]), tfjs.ones([8, 8])).dataSync());
      const gpuLibraries = name === 'tfjs-node-gpu' ? loadedGpuLibraries() : [];
      const gpu = gpuLibraries.some((lib) => lib.includes('cudnn'));
      if (name === 'tfjs-node-gpu' && !gpu) {
        notes.push('tfjs-node-gpu loaded without CUDA 11.2 and cuDNN 8.1, so ops run on the CPU');
      }
      const info: BackendInfo = { name, tfBackend: tfjs.getBackend(), gpu, skipped, notes };
      log.info({ backend: name, gpu, skipped, notes }, 'TensorFlow.js backend ready');
      state = { tf: tfjs, info };
      return state;
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      skipped.push({ name, reason });
      if (request !== 'auto') {
        throw new NunchiError(
          'BACKEND_UNAVAILABLE',
          `TF_BACKEND=${name} failed to load: ${reason}`,
          {
            backend: name,
          },
        );
      }
    }
  }
  throw new NunchiError('BACKEND_UNAVAILABLE', 'No TensorFlow.js backend could be loaded', {
    skipped,
  });
}

/** Returns the backend description when TensorFlow.js is initialised, otherwise undefined. */
export function backendInfo(): BackendInfo | undefined {
  return state?.info;
}
