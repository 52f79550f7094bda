const noop = (): void => {};

/**
 * Per-pass GPU time from timestamp queries, read back asynchronously through a small ring of
 * buffers so the frame loop never waits on a map. Falls back to CPU wall time per pass.
 */
export class PassTimer {
  readonly gpu: boolean;
  private readonly querySet: GPUQuerySet | null = null;
  private readonly resolveBuf: GPUBuffer | null = null;
  private readonly readBufs: GPUBuffer[] = [];
  private readonly busy: boolean[] = [];
  /** This frame's pass names in slot order; cleared, not replaced, each frame. */
  private readonly names: string[] = [];
  /** Per readback buffer: the names and count of the frame it holds, and its map handler. */
  private readonly slotNames: string[][] = [];
  private readonly slotCount: number[] = [];
  private readonly afterSubmit: (() => void)[] = [];
  /** timestampWrites per pass slot, made once. */
  private readonly writes: GPUComputePassTimestampWrites[] = [];
  private wallStart = 0;
  private readonly wall = new Map<string, number>();
  /** Latest per-pass milliseconds. */
  readonly latest = new Map<string, number>();

  constructor(device: GPUDevice, private readonly maxPasses = 16) {
    this.gpu = device.features.has('timestamp-query');
    if (this.gpu) {
      this.querySet = device.createQuerySet({ type: 'timestamp', count: maxPasses * 2, label: 'pass-timer' });
      const size = maxPasses * 2 * 8;
      this.resolveBuf = device.createBuffer({ size, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'pass-timer-resolve' });
      for (let i = 0; i < 3; i++) {
        this.readBufs.push(device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `pass-timer-read-${i}` }));
        this.busy.push(false);
        this.slotNames.push(new Array<string>(maxPasses).fill(''));
        this.slotCount.push(0);
        const done = (): void => { this.busy[i] = false; };
        const read = (): void => this.read(i);
        this.afterSubmit.push(() => { this.readBufs[i]!.mapAsync(GPUMapMode.READ, 0, this.slotCount[i]! * 16).then(read).catch(noop).finally(done); });
      }
      for (let i = 0; i < maxPasses; i++) {
        this.writes.push({ querySet: this.querySet, beginningOfPassWriteIndex: i * 2, endOfPassWriteIndex: i * 2 + 1 });
      }
    }
  }

  /** Starts a frame: pass names are assigned slots in call order. */
  beginFrame(): void { this.names.length = 0; }

  /** timestampWrites for a pass (undefined without the feature), and notes the wall start. */
  pass(name: string): GPUComputePassTimestampWrites | undefined {
    const i = this.names.length;
    this.names.push(name);
    this.wallStart = performance.now();
    if (!this.querySet || i >= this.maxPasses) return undefined;
    return this.writes[i];
  }

  /** Records CPU wall time of the pass just encoded (used only without timestamp queries). */
  endPass(name: string): void { this.wall.set(name, performance.now() - this.wallStart); }

  /** Adds the resolve to the frame's encoder; returns a callback to run after submit. */
  resolve(encoder: GPUCommandEncoder): () => void {
    if (!this.querySet || !this.resolveBuf) {
      for (const [k, v] of this.wall) this.latest.set(k, v);
      return noop;
    }
    const slot = this.busy.indexOf(false);
    const n = Math.min(this.names.length, this.maxPasses);
    if (slot < 0 || n === 0) return noop;
    const names = this.slotNames[slot]!;
    for (let i = 0; i < n; i++) names[i] = this.names[i]!;
    this.slotCount[slot] = n;
    encoder.resolveQuerySet(this.querySet, 0, n * 2, this.resolveBuf, 0);
    encoder.copyBufferToBuffer(this.resolveBuf, 0, this.readBufs[slot]!, 0, n * 16);
    this.busy[slot] = true;
    return this.afterSubmit[slot]!;
  }

  /** Reads the mapped timestamps of readback buffer `slot` into `latest`. */
  private read(slot: number): void {
    const buf = this.readBufs[slot]!, n = this.slotCount[slot]!, names = this.slotNames[slot]!;
    const t = new BigUint64Array(buf.getMappedRange(0, n * 16));
    for (let i = 0; i < n; i++) {
      const dt = Number(t[i * 2 + 1]! - t[i * 2]!) / 1e6;
      if (dt >= 0 && dt < 10_000) this.latest.set(names[i]!, dt);
    }
    buf.unmap();
  }

  /** Frees the GPU objects. */
  destroy(): void {
    this.querySet?.destroy();
    this.resolveBuf?.destroy();
    for (const b of this.readBufs) b.destroy();
  }
}
