/**
 * How long a subscription may keep delivering events (or a streamed upload
 * taking chunks already buffered) before it lets other work run. Awaiting a handler that returns at once yields only to
 * microtasks, so a page of events handled back to back held the event loop
 * for as long as the page took: the 1,954 slices of a million-record batch
 * kept every request, health check and timer waiting for 18 s (issue 14).
 * Past the budget, the feed waits one turn of the event loop (setImmediate),
 * which also lets the projector commit what it has applied so far. Checking
 * is synchronous, so an event delivered within the budget costs no promise.
 */
const BUDGET_MS = 20;

export class DeliveryBudget {
  #since = performance.now();

  /** Whether the feed has delivered for longer than the budget since it last let the loop turn. */
  get spent(): boolean {
    return performance.now() - this.#since > BUDGET_MS;
  }

  /** Lets the event loop turn once, and starts a new budget. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#since = performance.now();
  }
}
