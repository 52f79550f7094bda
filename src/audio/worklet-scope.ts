// Types of the AudioWorkletGlobalScope, which TypeScript's DOM/WebWorker libs lack.
// A typed view of globalThis instead of a global .d.ts, so main-thread code cannot
// accidentally see `registerProcessor` or `sampleRate` as globals.

/** Base class every processor extends; `port` talks to the AudioWorkletNode. */
export interface AudioWorkletProcessorBase {
  readonly port: MessagePort;
}

/** Constructor of AudioWorkletProcessor as the worklet scope provides it. */
export type AudioWorkletProcessorCtor = new (options?: AudioWorkletNodeOptions) => AudioWorkletProcessorBase;

/** What a processor class must look like to be registered. */
export type ProcessorClass = new (options: AudioWorkletNodeOptions) => AudioWorkletProcessorBase & {
  process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
};

/** The globals of AudioWorkletGlobalScope the mixer uses. */
export interface AudioWorkletScope {
  AudioWorkletProcessor: AudioWorkletProcessorCtor;
  registerProcessor(name: string, processor: ProcessorClass): void;
  readonly sampleRate: number;
  readonly currentFrame: number;
}

/** globalThis typed as the worklet scope; only meaningful inside an AudioWorklet. */
export function workletScope(): AudioWorkletScope {
  return globalThis as unknown as AudioWorkletScope;
}
