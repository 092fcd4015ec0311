import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalScheduler, lambdaJob } from '../../infra/local/scheduler.ts';

/**
 * The local scheduler (EventBridge Scheduler's stand-in): a run at start, one per period, never two
 * runs of a job at once, errors logged and survived, on-demand runs queued behind a running one.
 */

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('LocalScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs each job at start and then once per period until stopped', async () => {
    // Prepare
    let runs = 0;
    const scheduler = new LocalScheduler({
      everyMs: 60_000,
      jobs: { deadlines: async () => ++runs },
      log: () => {},
    });

    // Act
    await scheduler.start();
    const afterStart = runs;
    await vi.advanceTimersByTimeAsync(59_999);
    const beforePeriod = runs;
    await vi.advanceTimersByTimeAsync(1);
    const afterPeriod = runs;
    await vi.advanceTimersByTimeAsync(120_000);
    const afterThree = runs;
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(600_000);

    // Assess
    expect([afterStart, beforePeriod, afterPeriod, afterThree]).toEqual([1, 1, 2, 4]);
    expect(runs).toBe(4);
  });

  it('skips a tick while the previous run is still going', async () => {
    // Prepare
    const lines: string[] = [];
    const slow = gate();
    let started = 0;
    const scheduler = new LocalScheduler({
      everyMs: 60_000,
      jobs: {
        deadlines: async () => {
          started += 1;
          if (started === 2) await slow.promise;
        },
      },
      log: (l) => lines.push(l),
    });
    await scheduler.start();

    // Act
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    const whileSlow = started;
    slow.open();
    await vi.advanceTimersByTimeAsync(60_000);
    await scheduler.stop();

    // Assess
    expect(whileSlow).toBe(2);
    expect(started).toBe(3);
    expect(lines.some((l) => l.includes('skipped'))).toBe(true);
  });

  it('queues an on-demand run behind a run in progress and returns its result', async () => {
    // Prepare
    const order: string[] = [];
    const slow = gate();
    let n = 0;
    const scheduler = new LocalScheduler({
      everyMs: 0,
      jobs: {
        deadlines: async () => {
          n += 1;
          const mine = n;
          order.push(`start ${mine}`);
          if (mine === 1) await slow.promise;
          order.push(`end ${mine}`);
          return { run: mine };
        },
      },
      log: () => {},
    });
    const starting = scheduler.start();

    // Act
    const onDemand = scheduler.runNow('deadlines');
    await vi.advanceTimersByTimeAsync(10);
    slow.open();
    await starting;
    const result = await onDemand;

    // Assess
    expect(result).toEqual({ run: 2 });
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('logs a failing run and keeps going; an on-demand run reports the error', async () => {
    // Prepare
    const lines: string[] = [];
    let calls = 0;
    const scheduler = new LocalScheduler({
      everyMs: 60_000,
      jobs: {
        deadlines: async () => {
          calls += 1;
          if (calls <= 2) throw new Error(`failure ${calls}`);
          return 'fine';
        },
      },
      log: (l) => lines.push(l),
    });

    // Act
    await scheduler.start();
    const onDemand = scheduler.runNow('deadlines');
    await expect(onDemand).rejects.toThrow('failure 2');
    await vi.advanceTimersByTimeAsync(60_000);
    await scheduler.stop();

    // Assess
    expect(calls).toBe(3);
    expect(lines.filter((l) => l.includes('deadlines failed'))).toHaveLength(1);
  });

  it('refuses an unknown job', async () => {
    // Prepare
    const scheduler = new LocalScheduler({ everyMs: 0, jobs: { deadlines: async () => 1 }, log: () => {} });

    // Act
    const run = scheduler.runNow('nothing');

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'UnknownJobError' });
  });

  it('invokes a job module as the Scheduler’s Lambda target: an event and a Lambda context', async () => {
    // Prepare
    const seen: unknown[] = [];
    const job = lambdaJob('deadlines', 'functions/jobs/deadlines.ts', async () => async (event, context) => {
      seen.push(event, context.functionName, context.getRemainingTimeInMillis() > 0);
      return { acted: 0 };
    });

    // Act
    const result = await job();

    // Assess
    expect(result).toEqual({ acted: 0 });
    expect(seen).toEqual([{ source: 'local-scheduler', job: 'deadlines' }, 'local-job-deadlines', true]);
  });
});
