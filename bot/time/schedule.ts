import { Cron } from 'croner';

import { OSLO } from './working-time';

/** Parses without scheduling: `paused` keeps croner from starting a timer. */
function cronOf(pattern: string, timezone: string): Cron {
  try {
    return new Cron(pattern, { timezone, paused: true });
  } catch (error) {
    throw new Error(`Invalid cron pattern '${pattern}': ${(error as Error).message}`);
  }
}

/** Whether a cron pattern parses (5, 6 or 7 fields); it may still never match a real date. */
export function isValidCron(pattern: string): boolean {
  try {
    cronOf(pattern, OSLO);
    return true;
  } catch {
    return false;
  }
}

/**
 * The next run strictly after `after`, read as wall-clock time in `timezone`, so '0 8 * * 1'
 * stays at 08:00 Oslo time in both winter and summer.
 */
export function nextRun(cron: string, after: Date, timezone: string = OSLO): Date {
  const job = cronOf(cron, timezone);
  let next: Date | null;
  try {
    next = job.nextRun(after);
  } catch (error) {
    // croner resolves the timezone lazily, so a bad one surfaces here.
    throw new Error(`Cannot schedule '${cron}' in '${timezone}': ${(error as Error).message}`);
  }
  if (!next) throw new Error(`Cron pattern '${cron}' never runs after ${after.toISOString()}`);
  return new Date(next.getTime());
}
