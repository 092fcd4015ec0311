import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BenchPart, Figure } from './support/figures.ts';

/**
 * Runs ONE bench part in this process and writes its figures as JSON: `bench/run.ts` starts one child
 * process per part, so parts never share module singletons (SDK clients, env, the clock) or a heap.
 * Usage: `tsx bench/run-part.ts <part> <out.json> [--quick]`.
 */
export interface PartResult {
  readonly part: string;
  readonly seconds: number;
  readonly figures: readonly Figure[];
  readonly error?: string;
}

export const PARTS = ['cold-start', 'request-path', 'dynamo-work', 'workflow-cost', 'scale'] as const;
export type PartName = (typeof PARTS)[number];

export async function runPart(part: PartName, quick: boolean): Promise<PartResult> {
  const started = performance.now();
  const scratchDir = mkdtempSync(path.join(tmpdir(), `zs-bench-${part}-`));
  try {
    const mod = (await import(`./${part}.ts`)) as { run?: BenchPart };
    if (typeof mod.run !== 'function') throw new Error(`bench/${part}.ts does not export run`);
    const figures = await mod.run({
      quick,
      scratchDir,
      log: (line) => process.stderr.write(`[${part}] ${line}\n`),
    });
    return { part, seconds: (performance.now() - started) / 1000, figures };
  } catch (error) {
    const e = error as Error;
    return { part, seconds: (performance.now() - started) / 1000, figures: [], error: e.stack ?? e.message };
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [part, out] = process.argv.slice(2);
  if (!part || !out || !(PARTS as readonly string[]).includes(part)) {
    console.error(`usage: tsx bench/run-part.ts <${PARTS.join('|')}> <out.json> [--quick]`);
    process.exit(2);
  }
  const result = await runPart(part as PartName, process.argv.includes('--quick'));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  // Local services started by a part may keep handles open: the figures are written, so leave now.
  process.exit(result.error ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
