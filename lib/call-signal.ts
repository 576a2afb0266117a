/** The signal one outgoing call runs under: its caller's cancellation or its own deadline, whichever comes first. */
export interface CallSignal {
  signal: AbortSignal;
  timedOut(): boolean;
  /** Lets go of the timer and of the caller's signal; call it once the answer is read. */
  done(): void;
}

/**
 * Like `AbortSignal.any([parent, AbortSignal.timeout(ms)])`, but released explicitly: on Node 20 a signal
 * made by `AbortSignal.any` stays attached to a long-lived parent (an activity's cancellation signal) with
 * everything it references, so thousands of calls under one activity pile up.
 */
export function callSignal(parent: AbortSignal | undefined, timeoutMs: number): CallSignal {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, timeoutMs);
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onAbort();
  else parent?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}
