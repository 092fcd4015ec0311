/**
 * The one injectable clock. Every rule that depends on time (deadlines, notice periods, policy end)
 * reads `clock.now()`; the local runtime moves it with `POST /dev/clock`, so a clock moved forward
 * locally behaves exactly like time passing in AWS.
 */
export interface Clock {
  now(): Date;
}

let offsetMs = 0;
let fixed: Date | undefined;

export const clock: Clock = {
  now: () => (fixed ? new Date(fixed.getTime()) : new Date(Date.now() + offsetMs)),
};

/**
 * Local runtime and tests only: sets the clock. `mode: 'offset'` lets time keep running from `now`;
 * `mode: 'fixed'` freezes it. Passing `undefined` returns to real time.
 */
export function setClock(now: Date | undefined, mode: 'offset' | 'fixed' = 'offset'): void {
  fixed = undefined;
  offsetMs = 0;
  if (!now) return;
  if (mode === 'fixed') fixed = new Date(now.getTime());
  else offsetMs = now.getTime() - Date.now();
}

export const fixedClock = (iso: string | Date): Clock => {
  const at = new Date(iso);
  return { now: () => new Date(at.getTime()) };
};
