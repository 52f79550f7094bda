import * as Comlink from 'comlink';
import { StudioError, errorClasses } from './errors.ts';

interface WireError { name: string; message: string; details: Record<string, unknown>; stack?: string }

/**
 * Comlink's default 'throw' handler keeps only name and message, so a typed error thrown in a
 * worker would arrive as a plain Error. This handler keeps the class and its details.
 * Installed on both sides of every comlink channel.
 */
export function installErrorTransfer(): void {
  const builtin = Comlink.transferHandlers.get('throw');
  if (!builtin || (builtin as { studio?: boolean }).studio) return;
  Comlink.transferHandlers.set('throw', {
    studio: true,
    canHandle: builtin.canHandle,
    serialize(v: { value: unknown }) {
      const e = v.value;
      const wire: WireError = e instanceof Error
        ? { name: e.name, message: e.message, details: e instanceof StudioError ? e.details : {}, stack: e.stack }
        : { name: 'Error', message: String(e), details: {} };
      return [wire, []];
    },
    deserialize(w: WireError): never {
      const Cls = errorClasses[w.name];
      const err = Cls ? new Cls(w.message, w.details) : Object.assign(new Error(w.message), { name: w.name });
      if (w.stack) err.stack = w.stack;
      throw err;
    },
  } as Comlink.TransferHandler<unknown, unknown> & { studio: boolean });
}
