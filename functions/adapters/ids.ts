import { monotonicFactory } from 'ulid';

/** Id generator port: ULIDs (time-ordered, 26 chars of Crockford base32). Tests pass their own. */
export interface Ids {
  next(): string;
}

const make = monotonicFactory();

export const ulidIds: Ids = { next: () => make() };
