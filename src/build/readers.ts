// Preprocessed units read off the main thread. Reading one (tokens.ts)
// takes a tenth of a second of one thread, a preprocess about half a
// second of a core: past four jobs, one thread reading would hold the
// screen back, and a build host of many cores would wait on it.
import { Worker } from "node:worker_threads";

interface Asked {
  resolve: (digest: string) => void;
  reject: (e: Error) => void;
  worker: Worker;
}

/** Threads that each read units as tokens.ts does, with item caches of their own. */
export class Readers {
  private readonly workers: Worker[];
  private readonly asked = new Map<number, Asked>();
  /** Units in hand per thread: a thread holds the process open only while it reads. */
  private readonly busy = new Map<Worker, number>();
  private ids = 0;
  private failed?: Error;
  private closing = false;

  constructor(count: number) {
    this.workers = Array.from({ length: Math.max(1, count) }, () => {
      const w = new Worker(new URL("./read-worker.js", import.meta.url));
      w.on("message", (m: { id: number; digest?: string; error?: string }) => {
        const a = this.asked.get(m.id);
        if (!a) return;
        this.asked.delete(m.id);
        this.hand(a.worker, -1);
        if (m.digest !== undefined) a.resolve(m.digest);
        else a.reject(new Error(`reading a preprocessed unit failed: ${m.error}`));
      });
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => {
        if (!this.closing) this.fail(new Error(`a reader thread exited with status ${code}`));
      });
      w.unref();
      return w;
    });
  }

  /** How many readers `jobs` preprocessors keep busy: one per four. */
  static for(jobs: number): Readers {
    return new Readers(Math.min(8, Math.ceil(jobs / 4)));
  }

  get size(): number {
    return this.workers.length;
  }

  /** The digest of `text` (tokens.ts), blind to the lines it moved with `blind`. */
  digest(text: string, blind: boolean): Promise<string> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.ids++;
    // The thread with the fewest units in hand: units differ a hundredfold in size.
    const worker = this.workers.reduce((a, b) =>
      (this.busy.get(b) ?? 0) < (this.busy.get(a) ?? 0) ? b : a,
    );
    return new Promise((resolve, reject) => {
      this.asked.set(id, { resolve, reject, worker });
      this.hand(worker, 1);
      worker.postMessage({ id, text, blind });
    });
  }

  /** Ends the threads; a unit still in hand is rejected. */
  async close(): Promise<void> {
    this.closing = true;
    this.fail(new Error("the readers were closed"));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private hand(worker: Worker, units: number): void {
    const n = (this.busy.get(worker) ?? 0) + units;
    this.busy.set(worker, n);
    if (n === 0) worker.unref();
    else if (n === 1 && units > 0) worker.ref();
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const a of this.asked.values()) {
      this.hand(a.worker, -1);
      a.reject(e);
    }
    this.asked.clear();
  }
}
