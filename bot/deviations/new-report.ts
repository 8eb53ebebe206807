import type { Actor } from '../kernel/actor';
import { handlingDeadline, type Deviation, type DeviationEvent } from './deviation';
import { afterReport } from './deviation-messages';
import type { SubmitOptions } from './deviation-reporting';
import type { ReportInput } from './report-form';

/** A new report as it is stored under a reference: the record, its first event, its messages. */
export function newReport(
  actor: Actor,
  report: ReportInput,
  leaderId: string | undefined,
  now: Date,
  formId: string,
  options: SubmitOptions,
) {
  const at = now.toISOString();
  const posted = options.receiptPostedAt && {
    ownerId: actor.id,
    view: 'receipt',
    locale: actor.locale,
    ...options.receiptPostedAt,
  };
  return (ref: string) => {
    const record: Deviation = {
      ref,
      rev: 1,
      ...report,
      reporterId: actor.id,
      reporterName: actor.name,
      reporterLocale: actor.locale,
      status: 'registrert',
      handlerId: leaderId ?? '',
      handlerSince: at,
      escalations: 0,
      measures: [],
      formId,
      createdAt: at,
      updatedAt: at,
      dueAt: handlingDeadline(report.severity, report.type, now).toISOString(),
    };
    const event: DeviationEvent = {
      ref,
      seq: 1,
      at,
      kind: 'reported',
      actorId: actor.id,
      toStatus: 'registrert',
    };
    // Stored with the report: the handler card, the index rows, the receipt's place.
    const messages = afterReport(record, leaderId, now, { posted, send: options.sendReceipt });
    return { record, event, messages };
  };
}
