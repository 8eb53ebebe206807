import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { scenarios } from '../unit/card-fixtures';

/**
 * Pictures of the cards for docs/cards.md: every scenario of the card render rules whose
 * template name starts with one of the given prefixes, drawn by the official Adaptive Cards
 * renderer (the `adaptivecards` package) in headless Debian chromium at Teams' chat width.
 * Not Teams itself: colours and fonts are the renderer's defaults, the layout is the card's.
 *
 *   CARDS="tasks/ processes/ projects/ vedtak/" npm run cards:shots
 *
 * A jest file outside the test match (it draws, it asserts nothing): run only by that script.
 */
const ROOT = path.resolve(
  __dirname,
  '..',
  '..',
  ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []),
);
const OUT = path.join(ROOT, 'docs', 'images', 'cards');
const RENDERER = path.join(ROOT, 'node_modules', 'adaptivecards', 'dist', 'adaptivecards.js');

jest.setTimeout(120_000);

test('draw the cards', async () => {
  const prefixes = (process.env.CARDS ?? '').split(/\s+/).filter(Boolean);
  const wanted = scenarios('nb').filter(([name]) => prefixes.some((p) => name.startsWith(p)));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  const page = await browser.newPage({ viewport: { width: 520, height: 900 } });
  await page.setContent(
    '<html><body style="margin:0;padding:16px;background:#f5f5f5;font-family:Segoe UI,Arial,sans-serif"><div id="card" style="width:440px;background:#fff;border-radius:6px;padding:4px"></div></body></html>',
  );
  await page.addScriptTag({ path: RENDERER });
  fs.mkdirSync(OUT, { recursive: true });
  const counts = new Map<string, number>();
  for (const [name, situation, card] of wanted) {
    await page.evaluate((json) => {
      const host = globalThis as unknown as { AdaptiveCards: any; document: any };
      const ac = host.AdaptiveCards;
      const adaptive = new ac.AdaptiveCard();
      adaptive.parse(json);
      const target = host.document.getElementById('card');
      target.innerHTML = '';
      target.appendChild(adaptive.render());
    }, card);
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    const file = path.join(OUT, `${name.replace('/', '-')}-${n}.png`);
    await page.locator('#card').screenshot({ path: file });
    console.log(`${path.relative(ROOT, file)}: ${name} (${situation})`);
  }
  await browser.close();
});
