import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Counts DynamoDB requests and the capacity they consume (issue 8, "DynamoDB work per action"): an SDK
 * middleware on the client every repository uses (`dynamoClient()`; the document client shares its
 * middleware stack). It asks for `ReturnConsumedCapacity: TOTAL` on every data operation, so DynamoDB
 * (Local too) reports the capacity units of each request, and tallies them per operation. It sits at the
 * `initialize` step, so it counts each command the code sends once (not the SDK's retry attempts).
 */
export interface OperationTally {
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** Items returned by Query/Scan (Count), summed. */
  items: number;
}

export interface CounterSnapshot {
  readonly requests: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly items: number;
  readonly byOperation: Readonly<Record<string, OperationTally>>;
}

const CAPACITY_OPERATIONS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
]);

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export class DynamoCounter {
  private tallies = new Map<string, OperationTally>();
  private enabled = true;

  /** Adds the counting middleware to `client` (once per client). */
  attach(client: DynamoDBClient): this {
    const marked = client as DynamoDBClient & { __benchCounter?: DynamoCounter };
    if (marked.__benchCounter) throw new Error('a DynamoCounter is already attached to this client');
    marked.__benchCounter = this;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        const counts = this.enabled && CAPACITY_OPERATIONS.has(String(context.commandName));
        if (counts && input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        if (counts) {
          const output = result.output as { ConsumedCapacity?: Capacity | Capacity[]; Count?: number };
          const t = this.tally(operation);
          t.requests += 1;
          for (const c of [output.ConsumedCapacity ?? []].flat()) {
            const read = c.ReadCapacityUnits ?? 0;
            const write = c.WriteCapacityUnits ?? 0;
            // Non-transactional single-item calls report only CapacityUnits: attribute it by operation.
            const total = c.CapacityUnits ?? read + write;
            if (read || write) {
              t.readUnits += read;
              t.writeUnits += write;
            } else if (/^(Get|Query|Scan|BatchGet|TransactGet)/.test(operation)) t.readUnits += total;
            else t.writeUnits += total;
          }
          if (typeof output.Count === 'number') t.items += output.Count;
        }
        return result;
      },
      { step: 'initialize', name: 'benchDynamoCounter', override: true },
    );
    return this;
  }

  private tally(operation: string): OperationTally {
    let t = this.tallies.get(operation);
    if (!t) {
      t = { requests: 0, readUnits: 0, writeUnits: 0, items: 0 };
      this.tallies.set(operation, t);
    }
    return t;
  }

  /** Stops counting (e.g. while seeding), or starts again. */
  pause(paused = true): void {
    this.enabled = !paused;
  }

  reset(): void {
    this.tallies.clear();
  }

  snapshot(): CounterSnapshot {
    const byOperation: Record<string, OperationTally> = {};
    let requests = 0;
    let readUnits = 0;
    let writeUnits = 0;
    let items = 0;
    for (const [op, t] of this.tallies) {
      byOperation[op] = { ...t };
      requests += t.requests;
      readUnits += t.readUnits;
      writeUnits += t.writeUnits;
      items += t.items;
    }
    return { requests, readUnits, writeUnits, items, byOperation };
  }

  /** Runs `fn` with a fresh count and returns what it cost. */
  async measure<T>(fn: () => Promise<T>): Promise<{ result: T; cost: CounterSnapshot }> {
    this.reset();
    this.pause(false);
    const result = await fn();
    return { result, cost: this.snapshot() };
  }
}
