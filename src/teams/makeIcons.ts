/**
 * Draws the Teams app icons into manifest/ (run once; the PNGs are committed):
 * `npx tsx src/teams/makeIcons.ts`. A padlock: white on the accent colour (color.png, 192x192) and
 * white on transparent (outline.png, 32x32), as Teams asks.
 */
import { writeFileSync } from 'node:fs';
import { encodePng, type Rgba } from './png.js';

export const ACCENT: Rgba = [0x1f, 0x5a, 0xa6, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/** Whether (x, y) of a unit square (0..1) is on the padlock: a shackle arch over a body with a keyhole. */
function onPadlock(x: number, y: number): boolean {
  const inBody = x >= 0.28 && x <= 0.72 && y >= 0.46 && y <= 0.82;
  const dx = x - 0.5;
  const dy = y - 0.46;
  const r = Math.hypot(dx, dy);
  const inShackle = ((y <= 0.46 && r <= 0.17 && r >= 0.1) || (y > 0.46 && y < 0.5 && Math.abs(dx) >= 0.1 && Math.abs(dx) <= 0.17));
  const inKeyhole = Math.hypot(x - 0.5, y - 0.6) <= 0.05 || (Math.abs(x - 0.5) <= 0.02 && y >= 0.6 && y <= 0.72);
  return (inBody && !inKeyhole) || inShackle;
}

const at = (size: number, v: number) => (v + 0.5) / size;

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = new URL('../../manifest/', import.meta.url);
  writeFileSync(new URL('color.png', dir), encodePng(192, (x, y) => (onPadlock(at(192, x), at(192, y)) ? WHITE : ACCENT)));
  writeFileSync(new URL('outline.png', dir), encodePng(32, (x, y) => (onPadlock(at(32, x), at(32, y)) ? WHITE : CLEAR)));
}
