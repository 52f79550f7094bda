// Timing helpers shared by the GPU benches: PassTimer publishes timestamps asynchronously, so a
// sample submits one frame, waits for the GPU, then waits for the timer's readback.
import type { PassTimer } from '../src/gpu/timing.ts';

/** Yields to the event loop without setTimeout's 4 ms clamp, so map callbacks can run. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
    ch.port2.postMessage(null);
  });
}

/** Waits for PassTimer's asynchronous readback of one pass (ms). */
export async function passMs(timer: PassTimer, pass: string): Promise<number> {
  for (let i = 0; i < 10_000; i++) {
    const v = timer.latest.get(pass);
    if (v !== undefined) return v;
    await nextTask();
  }
  throw new Error(`no timestamp came back for the ${pass} pass`);
}

/** Sum of every pass the frame timed; PassTimer publishes a frame's passes all at once. */
export async function framePassesMs(timer: PassTimer): Promise<number> {
  for (let i = 0; i < 10_000; i++) {
    if (timer.latest.size > 0) {
      let s = 0;
      for (const v of timer.latest.values()) s += v;
      return s;
    }
    await nextTask();
  }
  throw new Error('no timestamps came back');
}

/** One timed sample: `ms` from timestamp queries where the device has them, else wall time. */
export interface Sample { ms: number; wall: number }

/** Encodes one frame, submits and waits for it; `pass` names the timed pass (all passes when omitted). */
export async function gpuSample(device: GPUDevice, timer: PassTimer, label: string, encode: (enc: GPUCommandEncoder) => void, pass?: string): Promise<Sample> {
  timer.latest.clear();
  const t0 = performance.now();
  timer.beginFrame();
  const enc = device.createCommandEncoder({ label });
  encode(enc);
  const after = timer.resolve(enc);
  device.queue.submit([enc.finish()]);
  after();
  await device.queue.onSubmittedWorkDone();
  const wall = performance.now() - t0;
  return { ms: timer.gpu ? await (pass ? passMs(timer, pass) : framePassesMs(timer)) : wall, wall };
}
