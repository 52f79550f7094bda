/**
 * Minimal read-only FlatBuffers access, just enough for the TFLite schema.
 *
 * We read the binary directly instead of depending on the `flatbuffers` package and
 * generated code: the TFLite schema subset we need is tiny, and every offset is
 * bounds-checked so a truncated or corrupt file fails with a readable error instead of
 * yielding garbage tensors.
 */

/** Thrown for any structural problem in a FlatBuffer (out-of-range offsets, bad vtables). */
export class FlatBufferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlatBufferError';
  }
}

/** Bounds-checked little-endian view over a FlatBuffer byte array. */
export class ByteReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Throws unless [pos, pos + size) lies inside the buffer. */
  check(pos: number, size: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || size < 0 || pos + size > this.bytes.length) {
      throw new FlatBufferError(
        `${what} at byte ${pos} (+${size}) is outside the ${this.bytes.length}-byte buffer (truncated or corrupt file?)`,
      );
    }
  }

  u8(pos: number): number {
    this.check(pos, 1, 'uint8');
    return this.view.getUint8(pos);
  }
  i8(pos: number): number {
    this.check(pos, 1, 'int8');
    return this.view.getInt8(pos);
  }
  u16(pos: number): number {
    this.check(pos, 2, 'uint16');
    return this.view.getUint16(pos, true);
  }
  i32(pos: number): number {
    this.check(pos, 4, 'int32');
    return this.view.getInt32(pos, true);
  }
  u32(pos: number): number {
    this.check(pos, 4, 'uint32');
    return this.view.getUint32(pos, true);
  }
  u64(pos: number): number {
    this.check(pos, 8, 'uint64');
    const v = this.view.getBigUint64(pos, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FlatBufferError(`uint64 at byte ${pos} is too large`);
    return Number(v);
  }
}

/** A FlatBuffers table: resolves fields through its vtable. */
export class Table {
  private readonly vtable: number;
  private readonly vtableSize: number;

  constructor(
    readonly r: ByteReader,
    readonly pos: number,
  ) {
    this.vtable = pos - r.i32(pos);
    this.vtableSize = r.u16(this.vtable);
    // A vtable is at least its two u16 header fields and always even-sized.
    if (this.vtableSize < 4 || this.vtableSize % 2 !== 0) {
      throw new FlatBufferError(`invalid vtable size ${this.vtableSize} for table at byte ${pos}`);
    }
    r.check(this.vtable, this.vtableSize, 'vtable');
    r.check(pos, r.u16(this.vtable + 2), 'table');
  }

  /** Absolute position of field `id`, or 0 when the field is absent (default value). */
  field(id: number): number {
    const slot = 4 + 2 * id;
    if (slot >= this.vtableSize) return 0;
    const rel = this.r.u16(this.vtable + slot);
    return rel === 0 ? 0 : this.pos + rel;
  }

  /** True when field `id` is stored explicitly. */
  has(id: number): boolean {
    return this.field(id) !== 0;
  }

  int8(id: number, dflt = 0): number {
    const p = this.field(id);
    return p ? this.r.i8(p) : dflt;
  }
  uint8(id: number, dflt = 0): number {
    const p = this.field(id);
    return p ? this.r.u8(p) : dflt;
  }
  bool(id: number, dflt = false): boolean {
    const p = this.field(id);
    return p ? this.r.u8(p) !== 0 : dflt;
  }
  int32(id: number, dflt = 0): number {
    const p = this.field(id);
    return p ? this.r.i32(p) : dflt;
  }
  uint32(id: number, dflt = 0): number {
    const p = this.field(id);
    return p ? this.r.u32(p) : dflt;
  }
  uint64(id: number, dflt = 0): number {
    const p = this.field(id);
    return p ? this.r.u64(p) : dflt;
  }

  /** Follows the uoffset stored at an absolute position. */
  private deref(p: number): number {
    return p + this.r.u32(p);
  }

  /** Sub-table field, or null when absent. */
  table(id: number): Table | null {
    const p = this.field(id);
    return p ? new Table(this.r, this.deref(p)) : null;
  }

  /** String field decoded as UTF-8, or `dflt` when absent. */
  string(id: number, dflt = ''): string {
    const bytes = this.bytes(id);
    return bytes ? new TextDecoder().decode(bytes) : dflt;
  }

  /** Start and length of a vector field, or null when absent. */
  private vector(id: number, elemSize: number): { start: number; length: number } | null {
    const p = this.field(id);
    if (!p) return null;
    const v = this.deref(p);
    const length = this.r.u32(v);
    this.r.check(v + 4, length * elemSize, 'vector');
    return { start: v + 4, length };
  }

  /** [ubyte] vector field as a view into the buffer (no copy), or null when absent. */
  bytes(id: number): Uint8Array | null {
    const v = this.vector(id, 1);
    return v ? this.r.bytes.subarray(v.start, v.start + v.length) : null;
  }

  /** [int] vector field (empty when absent). */
  int32s(id: number): number[] {
    const v = this.vector(id, 4);
    const out: number[] = [];
    if (v) for (let i = 0; i < v.length; i++) out.push(this.r.i32(v.start + 4 * i));
    return out;
  }

  /** Vector-of-tables field (empty when absent). */
  tables(id: number): Table[] {
    const v = this.vector(id, 4);
    const out: Table[] = [];
    if (v) for (let i = 0; i < v.length; i++) out.push(new Table(this.r, this.deref(v.start + 4 * i)));
    return out;
  }
}

/** Opens the root table of a FlatBuffer, checking the 4-byte file identifier if given. */
export function rootTable(bytes: Uint8Array, fileIdentifier?: string): Table {
  const r = new ByteReader(bytes);
  if (bytes.length < 8) throw new FlatBufferError(`buffer is only ${bytes.length} bytes, too short for a FlatBuffer`);
  if (fileIdentifier !== undefined) {
    const id = new TextDecoder().decode(bytes.subarray(4, 8));
    if (id !== fileIdentifier) {
      throw new FlatBufferError(`file identifier is "${id}", expected "${fileIdentifier}"`);
    }
  }
  return new Table(r, r.u32(0));
}
