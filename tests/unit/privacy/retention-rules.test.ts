import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSettings, retentionSettingsFrom } from '../../../bot/app/config';
import {
  addYears,
  DEFAULT_RETENTION_RULES,
  draftExpired,
  parseRetentionRules,
  retentionDue,
  ruleFor,
  rulesFingerprint,
  type RetentionRule,
} from '../../../bot/privacy/retention-rules';

const RULES: RetentionRule[] = [
  { id: 'forslag', type: 'forbedringsforslag', years: 2 },
  { id: 'hms', categoryId: 'hms', years: 20 },
  { id: 'avvist', status: 'avvist', years: 5 },
  { id: 'standard', years: 10 },
];
const closed = (over: Partial<Parameters<typeof ruleFor>[1]> = {}) => ({
  type: 'avvik' as const,
  categoryId: 'tjenestekvalitet',
  status: 'lukket' as const,
  closedAt: '2026-03-10T09:30:00.000Z',
  ...over,
});

describe('the first matching rule decides', () => {
  test.each([
    [{}, 'standard'],
    [{ categoryId: 'hms' }, 'hms'],
    [{ type: 'forbedringsforslag' as const, categoryId: 'hms' }, 'forslag'],
    [{ status: 'avvist' as const }, 'avvist'],
    [{ status: 'avvist' as const, categoryId: 'hms' }, 'hms'],
  ])('%j → %s', (over, id) => {
    expect(ruleFor(RULES, closed(over)).id).toBe(id);
  });

  test('the defaults: rejected cases after 5 years, every other after 10', () => {
    expect(retentionDue(DEFAULT_RETENTION_RULES, closed({ status: 'avvist' }))).toEqual({
      dueAt: '2031-03-10T09:30:00.000Z',
      rule: { id: 'avvist', status: 'avvist', years: 5 },
    });
    expect(retentionDue(DEFAULT_RETENTION_RULES, closed())?.dueAt).toBe('2036-03-10T09:30:00.000Z');
  });
});

describe('date math', () => {
  test('the same instant N years later', () => {
    expect(addYears('2026-12-31T23:59:59.000Z', 10)).toBe('2036-12-31T23:59:59.000Z');
  });
  test('29 February becomes 28 February, never 1 March', () => {
    expect(addYears('2028-02-29T12:00:00.000Z', 1)).toBe('2029-02-28T12:00:00.000Z');
    expect(addYears('2028-02-29T12:00:00.000Z', 4)).toBe('2032-02-29T12:00:00.000Z');
  });
  test('an open case, or one without a closing time, has no retention time', () => {
    expect(retentionDue(RULES, closed({ status: 'under_behandling' }))).toBeUndefined();
    expect(retentionDue(RULES, closed({ closedAt: undefined }))).toBeUndefined();
  });
  test('a draft expires at exactly N days, not a millisecond before', () => {
    const saved = '2026-11-01T10:00:00.000Z';
    expect(draftExpired(saved, new Date('2026-11-15T09:59:59.999Z'), 14)).toBe(false);
    expect(draftExpired(saved, new Date('2026-11-15T10:00:00.000Z'), 14)).toBe(true);
    expect(draftExpired(undefined, new Date(), 14)).toBe(true);
    expect(draftExpired('not a date', new Date(), 14)).toBe(true);
  });
});

describe('rules from JSON', () => {
  test('valid rules are read in their order', () => {
    const parsed = parseRetentionRules(JSON.stringify(RULES));
    expect(parsed).toEqual({ ok: true, rules: RULES });
  });
  test.each([
    ['not json', /not JSON/],
    ['[]', /at least 1/],
    ['[{"id":"hms","categoryId":"hms","years":3}]', /last rule must match every case/],
    ['[{"id":"a","years":3},{"id":"a","years":4}]', /unique/],
    ['[{"id":"a","years":0}]', /0\.years/],
    ['[{"id":"a","years":3,"months":2}]', /Unrecognized key/],
    ['[{"id":"Has Space","years":3}]', /0\.id/],
  ])('%s is refused with a reason', (text, reason) => {
    const parsed = parseRetentionRules(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(reason);
  });
  test('the fingerprint changes with the rules', () => {
    expect(rulesFingerprint(RULES)).toBe(rulesFingerprint([...RULES]));
    expect(rulesFingerprint(RULES)).not.toBe(rulesFingerprint(DEFAULT_RETENTION_RULES));
  });
});

describe('the settings', () => {
  const base = { LOCAL_ONLY: 'true' };

  test('the defaults: the default rules, 14 days for drafts, a nightly run', () => {
    expect(retentionSettingsFrom(readSettings(base))).toEqual({
      rules: DEFAULT_RETENTION_RULES,
      draftDays: 14,
      cron: '30 2 * * *',
    });
  });

  test('rules from a file; the setting wins when both are given', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rules-')), 'rules.json');
    fs.writeFileSync(file, JSON.stringify([{ id: 'fra-fil', years: 7 }]));
    const fromFile = readSettings({ ...base, RETENTION_RULES_FILE: file });
    expect(retentionSettingsFrom(fromFile).rules).toEqual([{ id: 'fra-fil', years: 7 }]);
    const both = readSettings({
      ...base,
      RETENTION_RULES_FILE: file,
      RETENTION_RULES: JSON.stringify([{ id: 'kort', years: 2 }]),
    });
    expect(retentionSettingsFrom(both).rules).toEqual([{ id: 'kort', years: 2 }]);
  });

  test.each([
    [
      { RETENTION_RULES: '[{"id":"a","categoryId":"hms","years":2}]' },
      /RETENTION_RULES: .*last rule must match/,
    ],
    [{ RETENTION_RULES_FILE: '/no/such/file.json' }, /RETENTION_RULES_FILE: not readable/],
    [{ DRAFT_RETENTION_DAYS: '0' }, /DRAFT_RETENTION_DAYS/],
    [{ PRIVACY_CRON: 'every night' }, /PRIVACY_CRON/],
  ])('%j is refused', (env, message) => {
    expect(() => readSettings({ ...base, ...env })).toThrow(message);
  });
});
