import { randomUUID } from 'node:crypto';
import { type LambdaHandler, lambdaContext, loadHandler } from './lambda-runtime.ts';

/**
 * The local stand-in for EventBridge Scheduler: runs each scheduled job once at start and then every
 * `everyMs`, never two runs of one job at a time (a tick that finds the job still running is skipped),
 * errors logged and never fatal. `runNow` (behind `POST /dev/jobs/{job}/run`) queues behind a run in
 * progress and then runs the job at the current business clock, returning its summary.
 */

/** Jobs the AWS stack schedules, by the name used in `POST /dev/jobs/{job}/run`. */
export const SCHEDULED_JOBS: Readonly<Record<string, string>> = {
  /** The deadline job (DESIGN "time"): reminders, escalations, closing calls, ending notice periods. */
  deadlines: 'functions/jobs/deadlines.ts',
};

export type JobRunner = () => Promise<unknown>;

export class UnknownJobError extends Error {
  override name = 'UnknownJobError';
}

export interface SchedulerOptions {
  /** Job name → runner; defaults to invoking each `SCHEDULED_JOBS` handler as Lambda would. */
  readonly jobs?: Readonly<Record<string, JobRunner>>;
  /** Period; 0 disables the periodic runs (start and on-demand runs still happen). */
  readonly everyMs: number;
  readonly log?: (line: string) => void;
}

/** Invokes a scheduled handler module the way the Scheduler → Lambda target does. */
export function lambdaJob(name: string, entry: string, load = loadHandler): JobRunner {
  return async () => {
    const handler: LambdaHandler = await load(entry);
    const requestId = randomUUID();
    return handler(
      { source: 'local-scheduler', job: name },
      lambdaContext({ functionName: `local-job-${name}`, requestId, timeoutMs: 300_000 }),
    );
  };
}

export class LocalScheduler {
  private readonly jobs: Readonly<Record<string, JobRunner>>;
  private readonly log: (line: string) => void;
  /** Per job: the last queued run (runs of one job form a chain, so they never overlap). */
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.jobs =
      opts.jobs ??
      Object.fromEntries(
        Object.entries(SCHEDULED_JOBS).map(([name, entry]) => [name, lambdaJob(name, entry)]),
      );
    this.log = opts.log ?? ((line) => console.log(line));
  }

  get jobNames(): string[] {
    return Object.keys(this.jobs);
  }

  /** Runs every job once (awaited, errors logged), then starts the periodic ticks. */
  async start(): Promise<void> {
    await Promise.all(this.jobNames.map((name) => this.tick(name)));
    if (this.opts.everyMs > 0 && !this.stopped) {
      this.timer = setInterval(() => {
        for (const name of this.jobNames) void this.tick(name);
      }, this.opts.everyMs);
    }
  }

  /** Runs `job` now (after a run in progress) and returns its result; throws what the job throws. */
  runNow(job: string): Promise<unknown> {
    const runner = this.jobs[job];
    if (!runner) {
      return Promise.reject(
        new UnknownJobError(`No scheduled job named ${job}; known jobs: ${this.jobNames.join(', ')}`),
      );
    }
    return this.enqueue(job, runner);
  }

  /** Stops the ticks and waits (bounded) for runs in progress. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.race([
      Promise.allSettled([...this.tails.values()]),
      new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
    ]);
  }

  private async tick(name: string): Promise<void> {
    const runner = this.jobs[name];
    if (!runner || this.stopped) return;
    if ((this.pending.get(name) ?? 0) > 0) {
      this.log(`[scheduler] ${name}: skipped, the previous run is still in progress`);
      return;
    }
    try {
      await this.enqueue(name, runner);
    } catch (e) {
      this.log(`[scheduler] ${name} failed: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private enqueue(name: string, runner: JobRunner): Promise<unknown> {
    this.pending.set(name, (this.pending.get(name) ?? 0) + 1);
    const previous = this.tails.get(name) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(runner)
      .finally(() => this.pending.set(name, (this.pending.get(name) ?? 1) - 1));
    this.tails.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  }
}
