import type { AdminProgress } from './result.js';

const WIDTH = 30;

/** The time left, from the pace so far and (if one was asked for) the pace's own bound. */
export function timeLeftMs(p: AdminProgress): number | undefined {
  const left = p.total - p.done;
  if (left <= 0) return 0;
  const byPace = p.perMinute ? (left * 60_000) / p.perMinute : 0;
  const elapsed = p.now - p.startedAt;
  const bySoFar = p.done > 0 && elapsed > 0 ? (elapsed / p.done) * left : undefined;
  if (bySoFar === undefined) return p.perMinute ? byPace : undefined;
  return Math.max(byPace, bySoFar);
}

function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.ceil(s / 60);
  if (m < 120) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** One line: `[#########.....] 120/500  24%  about 6 min left`. */
export function renderProgress(p: AdminProgress): string {
  const share = p.total > 0 ? p.done / p.total : 1;
  const filled = Math.round(share * WIDTH);
  const left = timeLeftMs(p);
  const eta = left === undefined ? '' : left === 0 ? '  done' : `  about ${duration(left)} left`;
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${p.done.toLocaleString('en-GB')}/${p.total.toLocaleString('en-GB')}  ${Math.floor(share * 100)}%${eta}`;
}

/** Draws the bar in place on a terminal (carriage return, no new line) until `end`. */
export class ProgressBar {
  private drawn = false;

  constructor(private readonly out: { write(text: string): unknown }) {}

  update(p: AdminProgress): void {
    this.out.write(`\r${renderProgress(p)}\u001b[K`);
    this.drawn = true;
  }

  end(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
