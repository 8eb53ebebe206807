import { DEFAULT_CATEGORIES } from '../../bot/deviations/deviation';
import { reportFormData } from '../../bot/deviations/deviation-views';
import { REPORT_FIELDS, validateReport } from '../../bot/deviations/report-form';
import { renderCard } from '../../bot/kernel/card-templates';
import { strings } from '../../bot/i18n';
import { ctxFor, inputsOf, org, rendererProblems, textsOf } from './card-fixtures';
import { NOW } from './fixtures';

/** The report form card. */

describe('report form', () => {
  test('its inputs are exactly the fields validateReport reads', () => {
    const card = renderCard(
      'deviations/report-form',
      reportFormData(ctxFor('nb'), {}, {}, 'form-0005-abcd'),
    );
    expect(
      inputsOf(card)
        .map((i) => i.id)
        .sort(),
    ).toEqual([...REPORT_FIELDS].sort());
  });

  test('after errors every typed value is back in its input and each error is shown', () => {
    const typed = {
      type: 'forbedringsforslag',
      categoryId: 'miljo',
      unitId: 'heim-skole',
      occurredOn: '2026-02-30',
      occurredTime: '25:00',
      description: 'Noe skjedde',
      immediateAction: 'Ryddet',
      suggestion: 'Rutine',
      severity: 'lav',
      anonymous: 'true',
    };
    const result = validateReport(typed, {
      categories: DEFAULT_CATEGORIES,
      unitIds: new Set(org.units.keys()),
      now: NOW,
    });
    if (result.ok) throw new Error('expected errors');
    const card = renderCard(
      'deviations/report-form',
      reportFormData(ctxFor('nb'), result.draft, result.errors, 'form-0006-abcd'),
    );
    for (const input of inputsOf(card))
      expect({ id: input.id, value: input.value }).toEqual({
        id: input.id,
        value: typed[input.id as keyof typeof typed],
      });
    const t = strings('nb').form;
    expect(textsOf(card)).toEqual(
      expect.arrayContaining([t.errorsTitle, t.errors.invalid_date, t.errors.invalid_time]),
    );
    expect(rendererProblems(card)).toEqual([]);
  });

  test('the date cannot be after today in Oslo', () => {
    const card = renderCard(
      'deviations/report-form',
      reportFormData(ctxFor('nb', new Date('2026-11-27T23:30:00Z')), {}, {}, 'form-0007-abcd'),
    );
    expect(inputsOf(card).find((i) => i.id === 'occurredOn')?.max).toBe('2026-11-28');
  });

  test('the unit choices are the enheter and staber, not rådmannsnivå', () => {
    const card = renderCard(
      'deviations/report-form',
      reportFormData(ctxFor('nb'), {}, {}, 'form-0008-abcd'),
    );
    const values = inputsOf(card)
      .find((i) => i.id === 'unitId')!
      .choices.map((c: { value: string }) => c.value);
    expect(values).toContain('sentrum-barnehage');
    expect(values).toContain('ikt');
    expect(values).not.toContain('radmann');
  });
});
