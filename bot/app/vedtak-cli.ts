import { osloDateOf } from '../time/working-time';
import { isRealDate } from '../time/calendar-date';
import { writeVedtakReport } from '../vedtak/vedtak-export';
import { composeForOperator, operatorSettings } from './operator';

/**
 * `npm run report:vedtak -- [--per YYYY-MM-DD] [--out <folder>] [--language nb|en]`: the
 * twice-yearly status report on political decisions, grouped by body, as it stood at the end
 * of the day given (default today, Europe/Oslo), written as Markdown, HTML and CSV.
 */
const USAGE =
  'usage: npm run report:vedtak -- [--per YYYY-MM-DD] [--out <folder>] [--language nb|en]';

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const per = option(args, '--per') ?? osloDateOf(new Date());
  const language = option(args, '--language') ?? 'nb';
  if (!isRealDate(per) || (language !== 'nb' && language !== 'en')) {
    console.error(USAGE);
    return 2;
  }
  const bot = await composeForOperator(operatorSettings());
  const [{ org }, decisions] = await Promise.all([bot.org.snapshot(), bot.vedtak.records.list()]);
  const files = writeVedtakReport(decisions, org, {
    per,
    out: option(args, '--out') ?? '.',
    language,
  });
  console.log(`Wrote ${files.join(', ')} (${decisions.length} decisions, as of ${per}).`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
