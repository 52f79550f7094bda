/**
 * Stops reading a stream of frames (VideoFrame, AudioData) without leaking any: cancel() would
 * drop the chunks already queued in the stream unclosed (Chrome then warns that a frame was
 * garbage collected without close()), so those are read and closed first, for at most
 * `drainMs` — the queue is already full, a drain takes no longer than reading it.
 */
export async function closeQueuedAndCancel(reader: ReadableStreamDefaultReader<{ close(): void }>, drainMs = 100): Promise<void> {
  const deadline = performance.now() + drainMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((r) => { timer = setTimeout(() => r(null), drainMs); });
  try {
    while (performance.now() < deadline) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === null || next.done) break;
      next.value.close();
    }
  } catch {
    // An errored stream has nothing queued to close.
  } finally {
    clearTimeout(timer);
  }
  // A read still pending when the time ran out is answered (done) by the cancel.
  await reader.cancel().catch(() => {});
}
