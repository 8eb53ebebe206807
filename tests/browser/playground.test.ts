/**
 * Browser test: a person reports and follows up a deviation in a real Teams-like client, the
 * Microsoft 365 Agents Playground, driven by headless Debian chromium (playwright-core).
 *
 * Everything runs on free ports (bot, Azurite and the Playground, which takes `--port`), so a
 * developer's `npm start` on 3978 / 10002 / 56150 is never disturbed. The Playground reads
 * `.m365agentsplayground.yml` from the repo root: the current user is Ingrid Haugen, enhetsleder
 * of Sentrum barnehage, so a deviation she reports in her own unit also brings her the handler
 * card in the same personal chat.
 *
 * Screenshots go to artifacts/screenshots/ (git-ignored). On a failure the test also leaves
 * failure-*.png, failure-*.aria.txt and playground-output.txt there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { readSettings } from '../../bot/app/config';
import { freePort, startAzurite, type RunningAzurite } from '../../bot/dev/azurite';
import { startBot, type RunningBot } from '../../bot/app/host';
import { parseOrgFile } from '../../bot/org/org-file';

jest.setTimeout(180000);

const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, 'artifacts', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const WAIT = 20000;

// The Playground's locale is English (en-US), but the bot speaks Norwegian to other locales:
// every label is matched in both languages.
const L = {
  descriptionLabel: /^(What happened\?|Hva skjedde\?) \*$/,
  categoryLabel: /^(Category|Kategori) \*$/,
  unitLabel: /^(Where did it happen \(unit\)|Hvor skjedde det \(enhet\)) \*$/,
  dateLabel: /^(When did it happen \(date\)|Når skjedde det \(dato\)) \*$/,
  severityMedium: /^(Medium|Middels)$/,
  submit: /^(Submit|Send inn)$/,
  receiptTitle: /Thank you! The deviation is reported|Takk! Avviket er meldt/,
  take: /^(Take responsibility|Ta ansvar)$/,
  inProgress: /^(In progress|Under behandling)$/,
  close: /^(Close|Lukk)$/,
  cause: /^(Cause|Årsak) \*$/,
  closingMeasures: /^(Measures taken|Tiltak som er gjort) \*$/,
  confirm: /^(Confirm|Bekreft)$/,
  closed: /^(Closed|Lukket)$/,
  outcomeTitle: /Your deviation is closed|Avviket ditt er lukket/,
  errorsTitle: /Something must be corrected|Noe må rettes/,
  required: /^(Required\.|Må fylles ut\.)$/,
};
const REF = /AVV-\d{4}-\d{4}/g;
const USER_TEXT =
  'Et barn klemte fingeren i døra på avdeling Blåbær. Teksten ${1+1} skal stå urørt.';
const LITERAL = '${1+1}';

let tmpDirs: string[] = [];
let azurite: RunningAzurite | undefined;
let bot: RunningBot | undefined;
let playground: ChildProcess | undefined;
let playgroundOutput = '';
let playgroundUrl = '';
let context: BrowserContext | undefined;
let page: Page;

function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

/** Today as YYYY-MM-DD in Norway, where the reporter is. */
function todayInOslo(): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Oslo',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date());
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts the Playground on a free port and returns the port it really listens on. */
async function startPlayground(botPort: number): Promise<number> {
  const cli = path.join(
    path.dirname(require.resolve('@microsoft/m365agentsplayground/package.json')),
    'cli.js',
  );
  const wanted = await freePort();
  const child = spawn(
    process.execPath,
    [
      cli,
      '-e',
      `http://127.0.0.1:${botPort}/api/messages`,
      '-c',
      'msteams',
      '--disable-telemetry',
      '--port',
      String(wanted),
    ],
    { cwd: ROOT, env: { ...process.env, BROWSER: 'none' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  playground = child;
  const collect = (chunk: Buffer) => {
    playgroundOutput = (playgroundOutput + String(chunk)).slice(-20000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  // When the port is taken meanwhile, the Playground silently falls back to a random one:
  // believe what it prints, not what we asked for.
  const port = await until(
    'the Playground to listen',
    async () => {
      if (child.exitCode !== null)
        throw new Error(`the Playground exited (${child.exitCode}):\n${playgroundOutput}`);
      const m = /Listening on (\d+)/.exec(playgroundOutput);
      return m ? Number(m[1]) : undefined;
    },
    WAIT,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}\nPlayground output:\n${playgroundOutput}`);
  });
  if (port !== wanted) console.warn(`The Playground took port ${port} instead of ${wanted}`);
  await until(
    'the Playground to answer HTTP',
    async () => ((await fetch(`http://127.0.0.1:${port}/`)).ok ? true : undefined),
    WAIT,
  );
  return port;
}

async function stopPlayground(): Promise<void> {
  const child = playground;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Screenshots one card, whole, as the chat shows it. */
async function shotOf(name: string, card: Locator): Promise<void> {
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: path.join(SHOTS, name) });
}

/** Runs one step; on failure saves what the page looked like, so the cause can be seen. */
async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!page) throw err;
    const base = path.join(SHOTS, `failure-${name.replace(/\W+/g, '-')}`);
    await page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => undefined);
    await page
      .locator('body')
      .ariaSnapshot()
      .then((aria) => fs.writeFileSync(`${base}.aria.txt`, aria))
      .catch(() => undefined);
    fs.writeFileSync(path.join(SHOTS, 'playground-output.txt'), playgroundOutput);
    (err as Error).message = `step "${name}": ${(err as Error).message}`;
    throw err;
  }
}

async function say(text: string): Promise<void> {
  const input = page.locator('[data-lexical-editor=true]');
  await input.click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** Top-level cards of the chat (an Action.ShowCard renders a nested .ac-adaptiveCard). */
const cards = () => page.locator('.ac-adaptiveCard:not(.ac-adaptiveCard .ac-adaptiveCard)');
const forms = () =>
  cards().filter({ has: page.getByRole('textbox', { name: L.descriptionLabel }) });

/** Says "meld avvik" and waits for the new form with its send button. */
async function openForm(): Promise<Locator> {
  const before = await forms().count();
  await say('meld avvik');
  await until(
    'a new form card',
    async () => ((await forms().count()) > before ? true : undefined),
    WAIT,
  );
  const form = forms().last();
  await form.getByRole('button', { name: L.submit }).waitFor({ timeout: WAIT });
  return form;
}

/** The visible text of a card, with no raw template placeholders and no leaked JS values. */
async function cardText(card: Locator): Promise<string> {
  const text = await card.innerText();
  const withoutUserText = text.split(LITERAL).join('');
  expect(withoutUserText).not.toMatch(/\$\{/);
  expect(text).not.toMatch(/\bundefined\b|\bNaN\b|\[object Object\]|\bnull\b/);
  return text;
}

/** Distinct deviations in the store (one partition per reference). */
async function storedReferences(): Promise<Set<string>> {
  const refs = new Set<string>();
  for await (const e of bot!.tables
    .client('Deviations')
    .listEntities({ queryOptions: { select: ['PartitionKey'] } })) {
    refs.add(String(e.partitionKey));
  }
  return refs;
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const f of fs.readdirSync(SHOTS))
    if (/^(0\d-.*|failure-.*|playground-output)\.(png|txt)$/.test(f))
      fs.rmSync(path.join(SHOTS, f));
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y chromium (never npx playwright install)`,
    );

  azurite = await startAzurite({ location: tmpDir('ik-browser-azurite-') });
  const settings = readSettings({
    NODE_ENV: 'test',
    TABLE_PREFIX: `b${Math.random().toString(36).slice(2, 10)}`,
    // As `npm start` does: the Playground always reports en-US, the demo is shown in bokmål.
    BOT_LANGUAGE: 'nb',
    LOCAL_ONLY: 'true',
  });
  bot = await startBot({
    settings,
    location: { kind: 'azurite', url: azurite.url },
    cardSigningSecret: crypto.randomBytes(20).toString('hex'), // 40 characters
    port: await freePort(),
    host: '127.0.0.1',
  });
  const demo = parseOrgFile(
    JSON.parse(fs.readFileSync(path.join(ROOT, 'bot/org/demo/heim-kommune.json'), 'utf8')),
  );
  if (!demo.ok) throw new Error(`demo organisation invalid: ${demo.errors.join('; ')}`);
  await bot.org.importFile(demo.file, { removeMissing: false });

  playgroundUrl = `http://127.0.0.1:${await startPlayground(bot.port)}`;

  context = await chromium.launchPersistentContext(tmpDir('ik-browser-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 1400 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(playgroundUrl);
  await page.locator('[data-lexical-editor=true]').waitFor({ timeout: WAIT });
  // The log panel takes a third of the width; the cards are easier to read without it.
  const hideLog = page.getByRole('button', { name: 'Hide log panel' });
  if (await hideLog.isVisible().catch(() => false)) await hideLog.click();
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await stopPlayground().catch(() => undefined);
  // Nothing is in flight any more (browser and Playground are gone). Keep the grace period short:
  // RunningServer.close() leaves its grace timer running, which would hold jest for that long.
  await bot?.close(300).catch(() => undefined);
  await azurite?.stop().catch(() => undefined);
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
  tmpDirs = [];
});

describe('Agents Playground: reporting and following up a deviation', () => {
  let ref = '';

  test('report through the form, take responsibility, close, and the reporter is told', async () => {
    const form = await step('open the form', async () => {
      const form = await openForm();
      await cardText(form);
      await shotOf('01-form.png', form);
      return form;
    });

    await step('fill the form', async () => {
      // Category: a Fluent combobox; pick an option as a person would (typing makes it invalid).
      await form.getByRole('combobox', { name: L.categoryLabel }).click();
      const option = page.getByRole('option').first();
      await option.waitFor({ timeout: WAIT });
      const category = (await option.innerText()).trim();
      await option.click();
      expect(await form.getByRole('combobox', { name: L.categoryLabel }).inputValue()).toBe(
        category,
      );

      // Unit: preselected, because Ingrid belongs to Sentrum barnehage.
      expect(await form.getByRole('combobox', { name: L.unitLabel }).inputValue()).toBe(
        'Sentrum barnehage',
      );

      // Date: Fluent DatePicker with text input.
      const date = form.getByRole('combobox', { name: L.dateLabel });
      await date.fill(todayInOslo());
      await date.press('Enter');
      await page.keyboard.press('Escape');
      expect(await date.inputValue()).not.toBe('');

      const description = form.getByRole('textbox', { name: L.descriptionLabel });
      await description.click();
      await description.pressSequentially(USER_TEXT);
      expect(await description.inputValue()).toBe(USER_TEXT);

      await form.getByRole('radio', { name: L.severityMedium }).click();
      expect(await form.getByRole('radio', { name: L.severityMedium }).isChecked()).toBe(true);
      await shotOf('02-filled.png', form);
    });

    await step('submit and get the receipt', async () => {
      const submit = form.getByRole('button', { name: L.submit });
      await submit.click();
      const receipt = cards().filter({ hasText: L.receiptTitle }).last();
      await receipt.waitFor({ timeout: WAIT });
      const text = await cardText(receipt);
      const refs = text.match(REF);
      expect(refs).not.toBeNull();
      ref = refs![0];
      await shotOf('03-receipt.png', receipt);
    });

    const handler = await step('the handler card arrives', async () => {
      // Ingrid leads the unit: the handler card comes to her own personal chat.
      // Found by its title and its deadline: the help card's example ("historikk AVV-2026-0001")
      // may name the same reference, and the receipt, once updated, takes the same title.
      const title = new RegExp(
        `^(Deviation|Avvik|Improvement suggestion|Forbedringsforslag) ${ref}$`,
      );
      const handler = cards()
        .filter({ has: page.getByText(title) })
        .filter({
          has: page.getByText(/^(Handling deadline|Frist for behandling|Finished|Avsluttet)$/),
        });
      await handler.getByRole('button', { name: L.take }).waitFor({ timeout: WAIT });
      expect(await handler.count()).toBe(1);
      const text = await cardText(handler);
      expect(text).toContain(LITERAL);
      expect(text).toContain('Et barn klemte fingeren i døra på avdeling Blåbær.');
      // The date chosen in the picker arrived: "Happened" is today.
      const today = new Date(`${todayInOslo()}T12:00:00Z`);
      const happened = [
        new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', dateStyle: 'medium' }).format(
          today,
        ),
        new Intl.DateTimeFormat('nb-NO', { timeZone: 'Europe/Oslo', dateStyle: 'short' }).format(
          today,
        ),
      ];
      expect(happened.some((d) => text.includes(d))).toBe(true);
      await shotOf('04-handler-card.png', handler);
      return handler;
    });

    await step('take responsibility', async () => {
      await handler.getByRole('button', { name: L.take }).click();
      await handler.getByText(L.inProgress).waitFor({ timeout: WAIT });
      await handler.getByRole('button', { name: L.close }).waitFor({ timeout: WAIT });
      await cardText(handler);
      await shotOf('05-taken.png', handler);
    });

    await step('close the deviation', async () => {
      await handler.getByRole('button', { name: L.close }).click();
      const cause = handler.getByRole('textbox', { name: L.cause });
      await cause.waitFor({ timeout: WAIT });
      await cause.click();
      await cause.pressSequentially('Døra manglet klemsikring.');
      const measures = handler.getByRole('textbox', { name: L.closingMeasures });
      await measures.click();
      await measures.pressSequentially('Klemsikring montert på alle dører.');
      await handler.getByRole('button', { name: L.confirm }).click();
      await handler.getByText(L.closed).waitFor({ timeout: WAIT });
      const text = await cardText(handler);
      expect(text).toContain('Døra manglet klemsikring.');
      expect(text).toContain(LITERAL);
      await shotOf('06-closed.png', handler);
    });

    await step('the reporter is told', async () => {
      const outcome = cards().filter({ hasText: L.outcomeTitle }).filter({ hasText: ref });
      await outcome.waitFor({ timeout: WAIT });
      const text = await cardText(outcome);
      expect(text).toContain('Klemsikring montert på alle dører.');
      await shotOf('07-outcome.png', outcome);

      // Her receipt from the start, updated in place, shows the outcome too.
      const receipt = cards()
        .filter({ has: page.getByText(/^(Reference|Referanse)$/) })
        .filter({ hasText: ref });
      await receipt.getByText(L.closed).waitFor({ timeout: WAIT });
      await cardText(receipt);
    });
  });

  test('an empty description is refused beside the field and nothing is created', async () => {
    const storedBefore = await storedReferences();
    const visibleBefore = new Set((await page.locator('body').innerText()).match(REF) ?? []);

    const form = await step('open a new form', openForm);

    await step('submit without a description', async () => {
      const cardsBefore = await cards().count();
      expect(await form.getByRole('textbox', { name: L.descriptionLabel }).inputValue()).toBe('');
      await form.getByRole('button', { name: L.submit }).click();
      await form.getByText(L.errorsTitle).waitFor({ timeout: WAIT });
      // The message right after the description field, not somewhere else on the card.
      const next = form
        .getByRole('textbox', { name: L.descriptionLabel })
        .locator(
          'xpath=following::div[contains(concat(" ", normalize-space(@class), " "), " ac-textBlock ")][1]',
        );
      expect((await next.innerText()).trim()).toMatch(L.required);
      await cardText(form);
      await shotOf('08-validation.png', form);
      // The form was answered in place: no new message, no receipt.
      expect(await cards().count()).toBe(cardsBefore);
    });

    await step('nothing else was created', async () => {
      expect(await storedReferences()).toEqual(storedBefore);
      const visibleAfter = new Set((await page.locator('body').innerText()).match(REF) ?? []);
      expect(visibleAfter).toEqual(visibleBefore);
    });
  });

  test('lists, history and help show what the reporter and leader may see', async () => {
    const [ref] = [...(await storedReferences())].sort();
    expect(ref).toMatch(/^AVV-\d{4}-\d{4}$/);
    const newCard = async (command: string, has: RegExp) => {
      const before = await cards().count();
      await say(command);
      await until(
        `a card for "${command}"`,
        async () => ((await cards().count()) > before ? true : undefined),
        WAIT,
      );
      const card = cards().last();
      await card.getByText(has).first().waitFor({ timeout: WAIT });
      return card;
    };

    await step('mine avvik', async () => {
      const list = await newCard('mine avvik', /^(Mine avvik|My deviations)$/);
      const text = await cardText(list);
      expect(text).toContain(`${ref} · Lukket`);
      expect(text).not.toContain('Et barn klemte'); // lists carry no free text
      await shotOf('09-mine-avvik.png', list);
    });

    await step('åpne avvik', async () => {
      const list = await newCard(
        'åpne avvik',
        /^(Åpne avvik i det du leder|Open deviations in what you lead)$/,
      );
      // The only report is closed: nothing open in what Ingrid leads.
      expect(await cardText(list)).toMatch(/Ingen saker å vise|Nothing to show/);
      await shotOf('10-apne-avvik.png', list);
    });

    await step('historikk', async () => {
      const history = await newCard(
        `historikk ${ref}`,
        new RegExp(`^(Historikk for|History of) ${ref}$`),
      );
      const text = await cardText(history);
      for (const kind of [/Meldt|Reported/, /Tatt ansvar|Taken over/, /Lukket|Closed/])
        expect(text).toMatch(kind);
      expect(text).toContain('Døra manglet klemsikring.');
      await shotOf('11-historikk.png', history);
    });

    await step('hjelp', async () => {
      const help = await newCard('hjelp', /^(Internkontroll i Teams|Internal control in Teams)$/);
      for (const button of [/^(Meld avvik|Report deviation)$/, /^(Mine avvik|My deviations)$/]) {
        expect(await help.getByRole('button', { name: button }).count()).toBe(1);
      }
      await shotOf('12-hjelp.png', help);
    });
  });

  // Last: it leaves an open case, which the lists above must not show.
  test('a refused form comes back as a draft at the next "meld avvik"; once filed, the next form is empty', async () => {
    const typed = 'Utkast: vindu i 2. etasje lukker ikke.';
    await step('send a form without a category', async () => {
      const form = await openForm();
      const description = form.getByRole('textbox', { name: L.descriptionLabel });
      await description.click();
      await description.pressSequentially(typed);
      await form.getByRole('button', { name: L.submit }).click();
      await form.getByText(L.errorsTitle).waitFor({ timeout: WAIT });
    });

    const again = await step('the next form holds what was typed', async () => {
      const form = await openForm();
      expect(await form.getByRole('textbox', { name: L.descriptionLabel }).inputValue()).toBe(
        typed,
      );
      return form;
    });

    await step('file it from that form', async () => {
      await again.getByRole('combobox', { name: L.categoryLabel }).click();
      const option = page.getByRole('option').first();
      await option.waitFor({ timeout: WAIT });
      await option.click();
      const date = again.getByRole('combobox', { name: L.dateLabel });
      await date.fill(todayInOslo());
      await date.press('Enter');
      await page.keyboard.press('Escape');
      await again.getByRole('radio', { name: L.severityMedium }).click();
      const before = await cards().filter({ hasText: L.receiptTitle }).count();
      await again.getByRole('button', { name: L.submit }).click();
      await until(
        'the receipt',
        async () =>
          (await cards().filter({ hasText: L.receiptTitle }).count()) > before ? true : undefined,
        WAIT,
      );
    });

    await step('the form after that is empty', async () => {
      const form = await openForm();
      expect(await form.getByRole('textbox', { name: L.descriptionLabel }).inputValue()).toBe('');
      await shotOf('13-form-after-draft-filed.png', form);
    });
  });
});
