/** One mappable buffer of a ReadbackRing and the frame times it holds; `read` is made once. */
export interface RingSlot<T> {
  buffer: GPUBuffer;
  busy: boolean;
  timestamp: number;
  duration: number | undefined;
  read: () => Promise<T>;
}

/**
 * The storage buffer a conversion pass writes and a small ring of mappable buffers it is
 * copied into for the CPU. A full ring means the readback is behind: the caller drops the frame
 * and counts it rather than stalling the render loop. `make` turns the mapped bytes into the
 * caller's result and must copy them (the mapping is released as soon as it returns).
 */
export class ReadbackRing<T> {
  private out: GPUBuffer | null = null;
  private slots: RingSlot<T>[] = [];
  private bytes = 0;

  constructor(private readonly device: GPUDevice, private readonly label: string,
    private readonly make: (bytes: Uint8Array, slot: RingSlot<T>) => T, private readonly size = 3) {}

  /** The buffer the pass writes, `bytes` long; a new size remakes it and the ring. */
  output(bytes: number): GPUBuffer {
    if (this.out && bytes === this.bytes) return this.out;
    this.destroy();
    this.bytes = bytes;
    this.out = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: `${this.label}-out` });
    this.slots = Array.from({ length: this.size }, (_, i) => {
      const slot: RingSlot<T> = {
        buffer: this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `${this.label}-read-${i}` }),
        busy: false, timestamp: 0, duration: undefined, read: () => this.read(slot),
      };
      return slot;
    });
    return this.out;
  }

  /** A slot not in flight, or null when every one is. */
  free(): RingSlot<T> | null {
    for (const s of this.slots) if (!s.busy) return s;
    return null;
  }

  /** Encodes the copy of the output into `slot` and marks it in flight; call its `read` after submit. */
  copy(encoder: GPUCommandEncoder, slot: RingSlot<T>, timestamp: number, duration: number | undefined): () => Promise<T> {
    encoder.copyBufferToBuffer(this.out!, 0, slot.buffer, 0, this.bytes);
    slot.busy = true;
    slot.timestamp = timestamp;
    slot.duration = duration;
    return slot.read;
  }

  private async read(slot: RingSlot<T>): Promise<T> {
    try {
      await slot.buffer.mapAsync(GPUMapMode.READ);
      try {
        return this.make(new Uint8Array(slot.buffer.getMappedRange()), slot);
      } finally {
        slot.buffer.unmap();
      }
    } finally {
      slot.busy = false;
    }
  }

  /** Frees the output and the ring. */
  destroy(): void {
    this.out?.destroy();
    for (const s of this.slots) s.buffer.destroy();
    this.out = null;
    this.slots = [];
  }
}
