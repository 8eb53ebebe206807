import crypto from 'node:crypto';

/**
 * What an operator's privacy command leaves behind (export, erase, its dry run, the access log
 * of a case). The person is named by a hash of their id only: the audit holds no one's identity
 * but the operator's. Stored by operator-audit-store.ts.
 */

export interface OperatorAudit {
  command: 'export' | 'erase' | 'erase (dry run)' | 'access';
  operator: string;
  at: Date;
  /** The person the command was about (hashed before it is stored). */
  personId?: string;
  /** The case the command was about. */
  ref?: string;
  /** Counts of what was found or done. */
  summary: Record<string, number>;
}

/** The person id as stored in audit rows: a SHA-256 prefix, enough to find their rows. */
export function personHash(personId: string): string {
  return crypto.createHash('sha256').update(personId).digest('hex').slice(0, 24);
}
