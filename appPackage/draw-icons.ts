/**
 * Draws the app icons from simple geometry, so they can be changed and regenerated without a
 * drawing program: a shield with a check mark (internal control that is in order).
 *
 *   npx tsc appPackage/draw-icons.ts --outDir dist/draw-icons --target es2022 \
 *     --module commonjs --esModuleInterop --skipLibCheck
 *   node dist/draw-icons/draw-icons.js     # writes appPackage/color.png and outline.png
 *
 * (Compile inside the repository so Node finds pngjs in node_modules; after the root build,
 * `node dist/appPackage/draw-icons.js` does the same. `--out <dir>` writes elsewhere.)
 *
 * Microsoft's rules (learn.microsoft.com, "Teams app package", App icons): color.png is a
 * 192x192 square, not rounded (Teams rounds it), with the symbol inside the middle 96x96;
 * outline.png is 32x32, white (255,255,255) on a fully transparent background, no padding.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { appPackageDir } from './app-package-dir';

type Rgba = [number, number, number, number];
type Point = [number, number];

/** Keep equal to accentColor in manifest.json. */
export const ACCENT: Rgba = [0x1f, 0x5f, 0x8b, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const NONE: Rgba = [0, 0, 0, 0];

/** Sub-samples per pixel side: 4x4 samples give smooth edges without a graphics library. */
const SAMPLES = 4;

// Shapes work in a unit box (0..1 both ways, y downwards), placed on the canvas by `glyphBox`.
const SHIELD = { halfWidth: 0.42, top: 0.02, bottom: 0.98, taperFrom: 0.4, shoulder: 0.1 };

/** Inside a shield whose sides run straight down, then curve in to a point at the bottom. */
function inShield(x: number, y: number, inset = 0): boolean {
  const halfWidth = SHIELD.halfWidth - inset;
  const top = SHIELD.top + inset;
  const bottom = SHIELD.bottom - inset * 1.6; // the point is sharp: inset it further
  const shoulder = Math.max(SHIELD.shoulder - inset, 0.001);
  const dx = Math.abs(x - 0.5);
  if (y < top || y > bottom) return false;
  if (y > SHIELD.taperFrom) {
    const t = (y - SHIELD.taperFrom) / (bottom - SHIELD.taperFrom);
    if (dx > halfWidth * (1 - t ** 2.2)) return false; // smooth at the sides, pointed tip
  } else if (dx > halfWidth) {
    return false;
  }
  // Rounded top corners.
  const cornerX = halfWidth - shoulder;
  const cornerY = top + shoulder;
  if (dx > cornerX && y < cornerY) return Math.hypot(dx - cornerX, y - cornerY) <= shoulder;
  return true;
}

function distanceToSegment([px, py]: Point, [ax, ay]: Point, [bx, by]: Point): number {
  const [vx, vy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

const CHECK: Point[] = [
  [0.29, 0.5],
  [0.45, 0.66],
  [0.72, 0.36],
];

function inCheck(x: number, y: number, thickness: number): boolean {
  return (
    distanceToSegment([x, y], CHECK[0], CHECK[1]) <= thickness / 2 ||
    distanceToSegment([x, y], CHECK[1], CHECK[2]) <= thickness / 2
  );
}

/** Paints a canvas by asking `colourAt` for each sub-sample and averaging (premultiplied). */
function paint(size: number, colourAt: (x: number, y: number) => Rgba): PNG {
  const png = new PNG({ width: size, height: size });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const c = colourAt(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES);
          r += c[0] * c[3];
          g += c[1] * c[3];
          b += c[2] * c[3];
          a += c[3];
        }
      }
      const i = (py * size + px) * 4;
      png.data[i] = a ? Math.round(r / a) : 0;
      png.data[i + 1] = a ? Math.round(g / a) : 0;
      png.data[i + 2] = a ? Math.round(b / a) : 0;
      png.data[i + 3] = Math.round(a / (SAMPLES * SAMPLES));
    }
  }
  return png;
}

/** Maps canvas coordinates into the unit box of a square glyph area. */
function glyphBox(left: number, size: number): (x: number, y: number) => Point {
  return (x, y) => [(x - left) / size, (y - left) / size];
}

/** 192x192: accent square, white shield, accent check; the glyph fills the middle 96x96. */
export function drawColorIcon(): PNG {
  const toUnit = glyphBox(48, 96);
  return paint(192, (x, y) => {
    const [u, v] = toUnit(x, y);
    if (inCheck(u, v, 0.11)) return ACCENT;
    if (inShield(u, v)) return WHITE;
    return ACCENT;
  });
}

/** 32x32: white shield outline and check on transparent; no padding, as Teams asks. */
export function drawOutlineIcon(): PNG {
  const toUnit = glyphBox(0, 32);
  return paint(32, (x, y) => {
    const [u, v] = toUnit(x, y);
    const ring = inShield(u, v) && !inShield(u, v, 0.075);
    return ring || inCheck(u, v, 0.11) ? WHITE : NONE;
  });
}

function main(argv: string[]): void {
  const outIndex = argv.indexOf('--out');
  const outDir = outIndex >= 0 && argv[outIndex + 1] ? argv[outIndex + 1] : appPackageDir();
  for (const [name, png] of [
    ['color.png', drawColorIcon()],
    ['outline.png', drawOutlineIcon()],
  ] as const) {
    const file = path.join(outDir, name);
    fs.writeFileSync(file, PNG.sync.write(png));
    console.log(`Wrote ${file} (${png.width}x${png.height})`);
  }
}

if (require.main === module) main(process.argv.slice(2));
