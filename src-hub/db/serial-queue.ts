/**
 * Runs async tasks one at a time, in the order they were queued. The embedded engine has a
 * single connection: a query sent while another request's transaction is open would run
 * inside that transaction, so every use of it goes through one queue.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
