import { PEOPLE, startBotUnderTest, type BotUnderTest } from '../support/bot-under-test';
import { cardText } from '../support/cards';
import { delegationChat, importDemoRegister } from '../support/delegations-setup';
import type { TeamsUser } from '../support/teams-client';

/**
 * "Eksporter fullmakter" end to end over HTTP against Azurite: a leader gets a card with two
 * links that expire; they serve the reglement as HTML and CSV; after the link's time they answer
 * 410; an altered or forged link is 404; someone without a leader role is refused.
 */
let t: BotUnderTest;
let chat: ReturnType<typeof delegationChat>;
const { ingrid, emil } = PEOPLE;
const clock = { at: new Date('2026-12-01T09:00:00Z'), now: () => clock.at };

/** The path of each OpenUrl link on the card (the bot under test listens on its own port). */
const linksOf = (card: any): string[] =>
  (card.actions ?? [])
    .filter((a: any) => a.type === 'Action.OpenUrl')
    .map((a: any) => new URL(a.url).pathname);

/** A browser's GET of a link's path on the bot under test. */
async function get(path: string) {
  const res = await fetch(`${t.bot.url}${path}`, { signal: AbortSignal.timeout(15000) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function exportLinks(who: TeamsUser, text = 'eksporter fullmakter') {
  const { card } = await chat.ask(who, text);
  return { card, links: linksOf(card) };
}

beforeAll(async () => {
  t = await startBotUnderTest({ clock, installed: [ingrid, emil] });
  chat = delegationChat(t);
  await importDemoRegister(t, clock.now());
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

test('Ingrid gets a card with two links; they serve the reglement as HTML and CSV', async () => {
  const { card, links } = await exportLinks(ingrid);
  expect(cardText(card)).toContain('Delegeringsreglementet per');
  expect(links).toHaveLength(2);
  const [html, csv] = links;
  expect(html).toMatch(/^\/fullmakter\/[A-Za-z0-9_-]+\/\d+\.[A-Za-z0-9_-]{32}\.html$/);
  expect(csv).toMatch(/^\/fullmakter\/[A-Za-z0-9_-]+\/\d+\.[A-Za-z0-9_-]{32}\.csv$/);

  const page = await get(html);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(page.headers.get('cache-control')).toContain('no-store');
  expect(page.text).toContain('<html');
  expect(page.text).toContain('Tilsetting');
  expect(page.text).toContain('PS 12/24');

  const sheet = await get(csv);
  expect(sheet.status).toBe(200);
  expect(sheet.headers.get('content-type')).toContain('text/csv');
  expect(sheet.headers.get('content-disposition')).toContain('delegeringsreglement-2026-12-01.csv');
  expect(sheet.text).toContain(';');
  expect(sheet.text).toContain('Ingrid Haugen');
});

test('in English: "export delegations" gives English files', async () => {
  const { card, links } = await exportLinks(
    { ...ingrid, locale: 'en-GB' } as TeamsUser,
    'export delegations',
  );
  expect(cardText(card)).toContain('The delegation rules as of');
  const page = await get(links[0]);
  expect(page.status).toBe(200);
  expect(page.text).toContain('Hiring');
});

test('after the link’s 15 minutes it answers 410 with a clear text', async () => {
  const { links } = await exportLinks(ingrid);
  clock.at = new Date(clock.at.getTime() + 14 * 60_000);
  expect((await get(links[1])).status).toBe(200);
  clock.at = new Date(clock.at.getTime() + 60_000);
  for (const link of links) {
    const gone = await get(link);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('Lenken er utløpt');
  }
});

test('an altered, prolonged or forged link is 404 and tells nothing', async () => {
  const { links } = await exportLinks(ingrid);
  const [html] = links;
  const [, , claim, file] = html.split('/');
  const [expires, sig] = file.split('.');
  const emils = Buffer.from(JSON.stringify([emil.aadObjectId, '2026-12-01', 'nb']));
  const altered = [
    `/fullmakter/${claim}/${Number(expires) + 3600}.${sig}.html`,
    `/fullmakter/${claim}/${expires}.${'x'.repeat(32)}.html`,
    `/fullmakter/${emils.toString('base64url')}/${expires}.${sig}.html`,
    `/fullmakter/${claim}/${expires}.${sig}.exe`,
    '/fullmakter/..%2F..%2Fetc/passwd',
  ];
  for (const path of altered) {
    const answer = await get(path);
    expect(answer.status).toBe(404);
    expect(answer.text).not.toContain('Ingrid');
  }
});

test('Emil (ansatt, no leader role) is refused, and gets no link', async () => {
  const { card, links } = await exportLinks(emil);
  expect(cardText(card)).toContain('Bare ledere og rådmannens stab');
  expect(links).toHaveLength(0);
});
