import type {
  ChannelAddress,
  ChannelSubscriptions,
  Subscription,
  SubscriptionKey,
} from '../../../bot/channels/ports';
import { SubscriptionService } from '../../../bot/channels/subscription-service';
import { followingChannels } from '../../../bot/channels/subscriptions';
import type { Language } from '../../../bot/i18n';
import type { Actor } from '../../../bot/kernel/actor';
import type { Card } from '../../../bot/kernel/card-templates';
import { DEFAULT_CATEGORIES } from '../../../bot/deviations/deviation';
import { cardText, inputsOf } from '../../support/cards';
import { DEMO_PEOPLE } from '../../support/demo-people';
import { demoOrg, NOW } from '../fixtures';

/** The use cases against an in-memory port: what each command answers and what it stores. */
const org = demoOrg();
const here: ChannelAddress = { teamId: 'team-1', channelId: 'channel-1' };

class MemorySubscriptions implements ChannelSubscriptions {
  rows: Subscription[] = [];
  private same = (a: SubscriptionKey) => (b: SubscriptionKey) =>
    a.topic === b.topic &&
    a.unitId === b.unitId &&
    a.teamId === b.teamId &&
    a.channelId === b.channelId;
  async subscribe(s: Subscription) {
    const existing = this.rows.find(this.same(s));
    if (existing) return { subscription: existing, created: false };
    this.rows.push(s);
    return { subscription: s, created: true };
  }
  async unsubscribe(key: SubscriptionKey) {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !this.same(key)(r));
    return this.rows.length < before;
  }
  async forChannel(teamId: string, channelId: string) {
    return this.rows.filter((r) => r.teamId === teamId && r.channelId === channelId);
  }
  async forTopic(topic: Subscription['topic']) {
    return this.rows.filter((r) => r.topic === topic);
  }
  async followersOf(topic: Subscription['topic'], unitId: string) {
    return followingChannels(await this.forTopic(topic), org, unitId);
  }
  async removeTeam(teamId: string) {
    const ended = this.rows.filter((r) => r.teamId === teamId);
    this.rows = this.rows.filter((r) => r.teamId !== teamId);
    return ended;
  }
}

let store: MemorySubscriptions;
let service: SubscriptionService;
beforeEach(() => {
  store = new MemorySubscriptions();
  service = new SubscriptionService({
    subscriptions: store,
    org: { snapshot: async () => ({ municipality: 'Heim', org, categories: DEFAULT_CATEGORIES }) },
    clock: { now: () => NOW },
  });
});

const actor = (key: keyof typeof DEMO_PEOPLE, language: Language = 'nb'): Actor => ({
  id: DEMO_PEOPLE[key].id,
  name: DEMO_PEOPLE[key].name,
  language,
  locale: language === 'en' ? 'en-US' : 'nb-NO',
});
const text = (card: Card) => cardText(card);
const choices = (card: Card, id: string) =>
  inputsOf(card)
    .find((i) => i.id === id)
    ?.choices.map((c: { value: string }) => c.value);

describe('subscribe', () => {
  test('stores who, when, which unit and channel', async () => {
    await service.subscribe(actor('ingrid'), here, 'avvik Sentrum barnehage');
    expect(store.rows).toEqual([
      {
        ...here,
        topic: 'avvik',
        unitId: 'sentrum-barnehage',
        subscribedBy: DEMO_PEOPLE.ingrid.id,
        at: NOW.toISOString(),
      },
    ]);
  });

  test('the confirmation names the unit, what is covered and what the channel gets', async () => {
    const card = await service.subscribe(actor('per'), here, 'avvik Rådmannen');
    expect(text(card)).toContain('Kanalen abonnerer nå på avvik for Rådmannen');
    expect(text(card)).toContain(`Gjelder: Rådmannen og ${org.units.size - 1} enheter under`);
    expect(text(card)).toContain('Abonnert av: Per Kristiansen');
    expect(text(card)).toContain('Siden: 27.11.2026');
    expect(text(card)).toContain('avslutt abonnement Rådmannen');
  });

  test('a second subscription of the same unit keeps the first one', async () => {
    await service.subscribe(actor('ingrid'), here, 'avvik Sentrum barnehage');
    const card = await service.subscribe(actor('per'), here, 'avvik sentrum barnehage');
    expect(text(card)).toContain('abonnerer allerede');
    expect(text(card)).toContain('Abonnert av: Ingrid Haugen');
    expect(store.rows).toHaveLength(1);
  });

  test('without a topic word: how to write it, nothing stored', async () => {
    expect(text(await service.subscribe(actor('ingrid'), here, ''))).toContain('«abonner avvik»');
    expect(text(await service.subscribe(actor('ingrid'), here, 'Sentrum barnehage'))).toContain(
      '«abonner avvik»',
    );
    expect(store.rows).toEqual([]);
  });

  test('refusals: not a leader, outside the line; nothing stored', async () => {
    expect(text(await service.subscribe(actor('emil'), here, 'avvik Sentrum barnehage'))).toContain(
      'Bare ledere',
    );
    expect(text(await service.subscribe(actor('emil'), here, 'avvik'))).toContain('Bare ledere');
    expect(text(await service.subscribe(actor('lars'), here, 'avvik Sentrum barnehage'))).toBe(
      'Du kan abonnere på enhetene du leder og enhetene under dem. Sentrum barnehage er ikke blant dem, så ingenting er endret.',
    );
    expect(store.rows).toEqual([]);
  });

  test('an unknown name: the picker with a note; the typed text stays literal', async () => {
    const card = await service.subscribe(actor('ingrid'), here, 'avvik ${1+1} [x](https://e.vil)');
    expect(choices(card, 'unitId')).toEqual(['sentrum-barnehage']);
    expect(text(card)).toContain('Fant ingen enhet som heter «${1+1} [x]\u200B(https://e.vil)»');
    expect(store.rows).toEqual([]);
  });

  test('outside a team channel: the explanation, nothing stored', async () => {
    for (const card of [
      await service.subscribe(actor('ingrid'), undefined, 'avvik Sentrum barnehage'),
      await service.subscribeChosen(actor('ingrid'), undefined, { unitId: 'sentrum-barnehage' }),
      await service.list(actor('ingrid'), undefined),
      await service.unsubscribe(actor('ingrid'), undefined, ''),
      await service.unsubscribeChosen(actor('ingrid'), undefined, {}),
    ])
      expect(text(card)).toContain('Abonnementer gjelder kanaler i et team');
    expect(store.rows).toEqual([]);
  });
});

describe('the picker button', () => {
  test('subscribes the chosen unit', async () => {
    const card = await service.subscribeChosen(actor('per'), here, {
      topic: 'avvik',
      unitId: 'barnevern',
    });
    expect(text(card)).toContain('Barneverntjenesten');
    expect(store.rows.map((r) => r.unitId)).toEqual(['barnevern']);
  });

  test('untrusted data: nothing chosen, an unknown unit, a unit outside the line', async () => {
    expect(choices(await service.subscribeChosen(actor('ingrid'), here, {}), 'unitId')).toEqual([
      'sentrum-barnehage',
    ]);
    const unknown = await service.subscribeChosen(actor('ingrid'), here, { unitId: 'x' });
    expect(text(unknown)).toContain('finnes ikke lenger');
    const outside = await service.subscribeChosen(actor('lars'), here, {
      unitId: 'sentrum-barnehage',
    });
    expect(text(outside)).toContain('er ikke blant dem');
    const wrongType = await service.subscribeChosen(actor('ingrid'), here, { unitId: 42 });
    expect(choices(wrongType, 'unitId')).toEqual(['sentrum-barnehage']);
    expect(store.rows).toEqual([]);
  });
});

describe('list and end', () => {
  beforeEach(async () => {
    await service.subscribe(actor('ingrid'), here, 'avvik Sentrum barnehage');
    await service.subscribe(actor('per'), here, 'avvik Heim skole');
    await service.subscribe(actor('per'), { ...here, channelId: 'other' }, 'avvik Rådmannen');
  });

  test('the list shows this channel only, in English too', async () => {
    const nb = text(await service.list(actor('emil'), here));
    expect(nb).toContain('Heim skole');
    expect(nb).toContain('Avvik · abonnert av Ingrid Haugen, 27.11.2026');
    expect(nb).not.toContain('Rådmannen');
    const en = text(await service.list(actor('emil', 'en'), here));
    expect(en).toContain('Deviations · subscribed by Per Kristiansen, 27 Nov 2026');
  });

  test('the end picker offers what the actor may end', async () => {
    expect(choices(await service.unsubscribe(actor('ingrid'), here, ''), 'subscription')).toEqual([
      'avvik:sentrum-barnehage',
    ]);
    expect(choices(await service.unsubscribe(actor('per'), here, ''), 'subscription')).toEqual([
      'avvik:heim-skole',
      'avvik:sentrum-barnehage',
    ]);
    expect(text(await service.unsubscribe(actor('lars'), here, ''))).toContain(
      'Du leder ingen av enhetene',
    );
  });

  test('by name: ended for a leader in the line, refused for others', async () => {
    expect(text(await service.unsubscribe(actor('lars'), here, 'Sentrum barnehage'))).toContain(
      'Bare lederen for Sentrum barnehage',
    );
    expect(text(await service.unsubscribe(actor('ingrid'), here, 'avvik Heim skole'))).toContain(
      'Bare lederen for Heim skole',
    );
    expect(text(await service.unsubscribe(actor('ingrid'), here, 'sentrum barnehage'))).toContain(
      'Kanalen følger ikke lenger Sentrum barnehage (avvik)',
    );
    expect(text(await service.unsubscribe(actor('ingrid'), here, 'Månebasen'))).toContain(
      'Kanalen abonnerer ikke på noe for «Månebasen»',
    );
    expect(store.rows.map((r) => r.unitId).sort()).toEqual(['heim-skole', 'radmann']);
  });

  test('the end button: the chosen one, checked again; a stale or forged choice ends nothing', async () => {
    const refused = await service.unsubscribeChosen(actor('ingrid'), here, {
      subscription: 'avvik:heim-skole',
    });
    expect(text(refused)).toContain('Bare lederen for Heim skole');
    const ended = await service.unsubscribeChosen(actor('per'), here, {
      subscription: 'avvik:heim-skole',
    });
    expect(text(ended)).toContain('Abonnementet er avsluttet');
    const again = await service.unsubscribeChosen(actor('per'), here, {
      subscription: 'avvik:heim-skole',
    });
    expect(text(again)).toContain('ingen abonnementer å avslutte');
    // Another channel's subscription cannot be ended from here.
    await service.unsubscribeChosen(actor('per'), here, { subscription: 'avvik:radmann' });
    expect(store.rows.map((r) => r.unitId).sort()).toEqual(['radmann', 'sentrum-barnehage']);
  });

  test('a channel without subscriptions has nothing to end', async () => {
    expect(text(await service.unsubscribe(actor('per'), { ...here, channelId: 'x' }, ''))).toBe(
      'Kanalen har ingen abonnementer å avslutte.',
    );
  });

  test('the bot leaving a team ends its subscriptions and names each channel once', async () => {
    await service.subscribe(actor('per'), { teamId: 'team-2', channelId: 'c' }, 'avvik IKT');
    expect(await service.teamRemoved('team-1')).toEqual([here, { ...here, channelId: 'other' }]);
    expect(store.rows.map((r) => r.teamId)).toEqual(['team-2']);
  });
});
