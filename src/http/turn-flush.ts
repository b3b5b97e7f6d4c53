/**
 * Holds the responses of one event-loop turn and writes them together at the turn's end (`setImmediate`,
 * which runs once the turn's I/O callbacks have), instead of each as soon as its handler finishes.
 *
 * Why: each response is one `writev` to a client socket, and when the client is waiting for data the
 * kernel wakes it up from inside that `writev`. Waking a sleeping process on another CPU is one of the
 * dearest things a paravirtualised VM does (in a `perf` profile of lookups under load, the wake-up in
 * `sock_def_readable` was 11% of the server's time). Written back to back, only the first response of a
 * turn finds the client asleep; the rest find it already running. No response waits longer than the
 * turn it was handled in: the requests of one turn are handled first, then all of it is answered.
 *
 * A response sent while no turn is open (after the turn's end, e.g. once a group commit that ends a turn
 * is durable) is written at once: it must not wait for the next turn's requests.
 */
export class TurnFlush {
  private held: (() => void)[] = [];
  private open = false;

  /** @param onError told of a held write that threw; the other held writes run regardless. */
  constructor(private readonly onError: (err: unknown) => void) {}

  /** A request arrived: responses sent from now until the turn's end are held. */
  begin(): void {
    if (this.open) return;
    this.open = true;
    setImmediate(this.flush);
  }

  /** Runs `write` now, or at the turn's end when a turn is open. */
  send(write: () => void): void {
    if (this.open) this.held.push(write);
    else write();
  }

  private readonly flush = (): void => {
    this.open = false;
    const held = this.held;
    this.held = [];
    for (const write of held) {
      try {
        write();
      } catch (err) {
        this.onError(err);
      }
    }
  };
}
