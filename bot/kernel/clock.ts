/** Time as the features see it: passed in, so tests and `scheduler:tick --at` can set it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
