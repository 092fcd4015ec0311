import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../bench/request-path.ts';
import type { Figure } from '../../bench/support/figures.ts';

/**
 * The smoke run of `npm run bench`'s request-path part (issue 8, part 2): the whole local runtime in this
 * process, a small seeded world, autocannon for half a second per side against the real API and the bare
 * baseline server. The figures mean nothing at this size, so only their shape is checked — and that the
 * part ran every scenario with the baseline making the same DynamoDB calls as the handler (it throws
 * otherwise) and that no request failed.
 */
let figures: Figure[] = [];
let scratchDir = '';

beforeAll(async () => {
  scratchDir = mkdtempSync(path.join(os.tmpdir(), 'request-path-bench-'));
  figures = await run({ quick: true, log: () => undefined, scratchDir });
}, 90_000);
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

const SCENARIOS = ['GET /v1/public/platforms', 'GET /v1/applications/{id}', 'PATCH /v1/applications/{id}'];

describe('bench: request path (quick)', () => {
  it('prints throughput, p50 and p99 for each scenario against its same-run baseline', () => {
    for (const scenario of SCENARIOS) {
      const [rps, p50, p99] = ['throughput', 'p50', 'p99'].map((what) =>
        figures.find((f) => f.name === `${scenario} ${what}`),
      );
      expect(rps?.unit).toBe('req/s');
      expect(rps?.goal).toBe('≥ 0.7× baseline');
      expect(rps?.note).toMatch(/DynamoDB per request: .+ \(baseline the same\)/);
      expect(p50?.unit).toBe('ms');
      expect(p99?.unit).toBe('ms');
      expect(p99?.goal).toBe('≤ 2× baseline');
    }
  });

  it('every figure is well-formed: a finite value, a ratio goal with a boolean and a cause when missed', () => {
    expect(figures.length).toBe(SCENARIOS.length * 3 + 1);
    for (const f of figures) {
      expect(f.section).toBe('request path');
      expect(Number.isFinite(f.value)).toBe(true);
      expect(f.value).toBeGreaterThanOrEqual(0);
      if (f.goal !== undefined) {
        expect(f.baseline).toBeGreaterThan(0);
        expect(f.ratio).toBe(Math.round((f.value / (f.baseline ?? 1)) * 100) / 100);
        expect(typeof f.met).toBe('boolean');
        if (f.met === false) expect(f.note).toMatch(/\S/);
      }
    }
  });

  it('no request failed under load: no 5xx, connection error or timeout (a 409 conflict is named, allowed)', () => {
    const failing = figures.filter((f) => /× 5\d\d|connection errors|timeouts/.test(f.note ?? ''));
    expect(failing.map((f) => `${f.name}: ${f.note}`)).toEqual([]);
  });

  it('states the local-only cost (JWT verification and the API Gateway event) per authenticated request', () => {
    const local = figures.find((f) => f.name === 'local-only work per authenticated request');
    expect(local?.unit).toBe('ms');
    expect(local?.value).toBeGreaterThan(0);
  });
});
