import {
  processRefusalText,
  projectRefusalText,
  taskRefusalText,
  vedtakRefusalText,
} from '../../../bot/i18n/work';
import type { ProcessRefusal } from '../../../bot/processes/process-rules';
import type { ProjectRefusal } from '../../../bot/projects/project-rules';
import type { TaskRefusal } from '../../../bot/tasks/task-rules';
import type { VedtakRefusal } from '../../../bot/vedtak/vedtak-rules';

/** One refusal of every code, with its values: every placeholder must be filled in both languages. */
const task: TaskRefusal[] = [
  { code: 'parent-not-active' },
  { code: 'not-allowed-to-create' },
  { code: 'not-allowed' },
  { code: 'empty', field: 'title' },
  { code: 'too-long', field: 'description', max: 4000 },
  { code: 'bad-date' },
  { code: 'due-in-past', today: '2027-03-10' },
  { code: 'unknown-person' },
  { code: 'unknown-unit' },
  { code: 'unit-without-leader', unitId: 'x' },
  { code: 'same-assignee' },
  { code: 'wrong-status', status: 'handover_requested' },
];
const process: ProcessRefusal[] = [
  'not-owner',
  'not-anchorer',
  'already-anchored',
  'closed',
  'draft',
  'unknown-person',
  'already-member',
  'already-nominated',
  'no-nomination',
  'not-releaser',
  'bad-share',
  'comment-required',
  'no-units',
  'not-unit-leader',
  'already-answered',
  'nothing-declined',
  'already-escalated',
  'not-escalated',
  'not-radmann',
].map((code) => ({ code }) as ProcessRefusal);
process.push(
  { code: 'too-long', max: 2000 },
  { code: 'unknown-unit', unitId: 'nope' },
  { code: 'no-measure', number: 3 },
);
const project: ProjectRefusal[] = [
  { code: 'not-owner' },
  { code: 'not-in-steering-group' },
  { code: 'closed' },
  { code: 'gate-pending', number: 2 },
  { code: 'no-gate' },
  { code: 'stale-gate', number: 3 },
  { code: 'already-voted', vote: 'send_back' },
  { code: 'comment-required' },
  { code: 'report-required' },
  { code: 'bad-report-url' },
  { code: 'too-long', max: 2000 },
  { code: 'bad-quorum' },
  { code: 'not-leader' },
  { code: 'unknown-person' },
  { code: 'empty', field: 'mandate' },
];
const vedtak: VedtakRefusal[] = [
  { code: 'not-radmann-staff' },
  { code: 'empty', field: 'caseNumber' },
  { code: 'too-long', field: 'summary', max: 2000 },
  { code: 'bad-date', field: 'deadline' },
  { code: 'date-in-future' },
  { code: 'deadline-before-date' },
  { code: 'unknown-unit' },
  { code: 'unit-without-leader' },
  { code: 'not-responsible' },
  { code: 'bad-status' },
  { code: 'unchanged' },
];

const cases: [string, string][] = (['nb', 'en'] as const).flatMap((language) => [
  ...task.map(
    (r) => [`task ${r.code} ${language}`, taskRefusalText(r, language)] as [string, string],
  ),
  ...process.map(
    (r) => [`process ${r.code} ${language}`, processRefusalText(r, language)] as [string, string],
  ),
  ...project.map(
    (r) => [`project ${r.code} ${language}`, projectRefusalText(r, language)] as [string, string],
  ),
  ...vedtak.map(
    (r) => [`vedtak ${r.code} ${language}`, vedtakRefusalText(r, language)] as [string, string],
  ),
]);

test.each(cases)('%s: a sentence with every placeholder filled', (_name, text) => {
  expect(text).not.toMatch(/[{}]/);
  expect(text).toMatch(/^[A-ZÆØÅ«"]/u);
  expect(text.length).toBeGreaterThan(10);
});

test("values are words in the reader's language", () => {
  expect(taskRefusalText({ code: 'wrong-status', status: 'done' }, 'nb')).toBe(
    'Oppgaven er utført.',
  );
  expect(taskRefusalText({ code: 'wrong-status', status: 'done' }, 'en')).toBe('The task is done.');
  expect(taskRefusalText({ code: 'too-long', field: 'title', max: 200 }, 'nb')).toBe(
    'En tittel kan være høyst 200 tegn.',
  );
  expect(projectRefusalText({ code: 'already-voted', vote: 'approve' }, 'nb')).toBe(
    'Du har allerede stemt (godkjent).',
  );
  expect(vedtakRefusalText({ code: 'bad-date', field: 'deadline' }, 'nb')).toBe(
    'Frist må være en gyldig dato (ÅÅÅÅ-MM-DD).',
  );
});
