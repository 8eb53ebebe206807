import { CardSigner, type SignedAction } from '../../bot/kernel/card-signing';

const SECRET = 'test-secret-that-is-at-least-32-characters-long';
const signer = new CardSigner(SECRET);
const take: SignedAction = {
  kind: 'deviation',
  id: 'AVV-2026-0042',
  rev: 3,
  verb: 'deviation.take',
};
const sig = signer.sign(take);

describe('CardSigner', () => {
  test('sign then verify round-trips', () => {
    expect(signer.verify(take, sig)).toBe(true);
    expect(new CardSigner(SECRET).verify(take, sig)).toBe(true);
  });

  test('the signature depends on kind, reference, revision and verb', () => {
    expect(signer.sign({ ...take, id: 'AVV-2026-0043' })).not.toBe(sig);
    expect(signer.sign({ ...take, rev: 4 })).not.toBe(sig);
    expect(signer.sign({ ...take, kind: 'task' })).not.toBe(sig);
    expect(signer.sign({ ...take, verb: 'deviation.close' })).not.toBe(sig);
  });

  test.each<[string, Record<string, unknown>, unknown]>([
    ['another reference', { id: 'AVV-2026-0043' }, sig],
    ['another revision', { rev: 4 }, sig],
    ['another kind (a feature replaying a deviation signature)', { kind: 'task' }, sig],
    ['another verb (the take signature on close)', { verb: 'deviation.close' }, sig],
    ['a tampered signature', {}, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)],
    ['a truncated signature', {}, sig.slice(0, -1)],
    ['a longer signature', {}, sig + 'A'],
    ['an empty signature', {}, ''],
    ['a revision as a string', { rev: '3' }, sig],
    ['a fractional revision', { rev: 3.5 }, sig],
    ['NaN as revision', { rev: Number.NaN }, sig],
    ['a missing revision', { rev: undefined }, sig],
    ['a reference that is not a string', { id: 42 }, sig],
    ['a signature that is not a string', {}, 12345],
    ['a reference with the newline trick', { id: 'AVV-2026-0042\n3' }, sig],
    ['a reference that smuggles the next field', { id: 'AVV-2026-0042",3,"deviation.take' }, sig],
  ])('%s -> false', (_what, change, s) => {
    expect(signer.verify({ ...take, ...change } as SignedAction, s)).toBe(false);
  });

  test('a different secret does not verify', () => {
    expect(new CardSigner('another-secret-that-is-at-least-32-characters').verify(take, sig)).toBe(
      false,
    );
  });

  test('a signature with non-ASCII characters of the same length does not throw', () => {
    expect(() => signer.verify(take, 'ø'.repeat(16))).not.toThrow();
    expect(signer.verify(take, 'ø'.repeat(16))).toBe(false);
  });

  test('signAll gives each verb of a card its own signature, keyed by the verb', () => {
    const all = signer.signAll('deviation', 'AVV-2026-0042', 3, [
      'deviation.take',
      'deviation.close',
    ]);
    expect(Object.keys(all)).toEqual(['take', 'close']);
    expect(all.take).toBe(sig);
    expect(signer.verify({ ...take, verb: 'deviation.close' }, all.close)).toBe(true);
    expect(signer.verify(take, all.close)).toBe(false);
  });
});
