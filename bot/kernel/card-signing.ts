import crypto from 'node:crypto';

/**
 * What a card button may do, as the server said when it drew the card: this record (kind and
 * reference) at this revision, with this verb. Signing all four means a signature from one
 * feature, one case or one button can never be replayed against another.
 */
export interface SignedAction {
  kind: string;
  id: string;
  rev: number;
  verb: string;
}

const SIGNATURE_LENGTH = 32;

export class CardSigner {
  constructor(private readonly secret: string) {}

  sign(action: SignedAction): string {
    // JSON keeps the fields apart: no id can be crafted to read as another field.
    const message = JSON.stringify([action.kind, action.id, action.rev, action.verb]);
    return crypto
      .createHmac('sha256', this.secret)
      .update(message)
      .digest('base64url')
      .slice(0, SIGNATURE_LENGTH);
  }

  /** True only for a signature this server made for exactly these values; card data is untrusted. */
  verify(action: { kind: string; id: unknown; rev: unknown; verb: string }, sig: unknown): boolean {
    const { id, rev } = action;
    if (typeof id !== 'string' || typeof sig !== 'string') return false;
    if (typeof rev !== 'number' || !Number.isInteger(rev)) return false;
    const expected = Buffer.from(this.sign({ kind: action.kind, id, rev, verb: action.verb }));
    const given = Buffer.from(sig);
    // timingSafeEqual needs equal lengths; the length of a valid signature is no secret.
    return expected.length === given.length && crypto.timingSafeEqual(expected, given);
  }

  /** Signatures for every verb a card offers, keyed by the verb's last part (`deviation.take` -> `take`). */
  signAll(kind: string, id: string, rev: number, verbs: readonly string[]): Record<string, string> {
    return Object.fromEntries(
      verbs.map((verb) => [
        verb.slice(verb.lastIndexOf('.') + 1),
        this.sign({ kind, id, rev, verb }),
      ]),
    );
  }
}
