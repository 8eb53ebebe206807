import { en } from './en';
import { nb, type Strings } from './nb';

export type { Strings };
export type Language = 'nb' | 'en';

let override: Language | undefined;

/** BOT_LANGUAGE: one language for everybody (demos; the Agents Playground always says en-US). */
export function setLanguageOverride(language: Language | undefined): void {
  override = language;
}

/** Norwegian unless the Teams locale is English. */
export function languageOf(locale: string | undefined): Language {
  if (override) return override;
  return locale && /^en\b/i.test(locale) ? 'en' : 'nb';
}

export function strings(language: Language): Strings {
  return language === 'en' ? en : nb;
}

/** Fills {name} placeholders; values are plain text, never evaluated. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? String(values[key]) : whole,
  );
}

const TIME_ZONE = 'Europe/Oslo';

// Bokmål's medium date ("27. nov. 2026") starts like a Markdown ordered list, and Teams renders
// TextBlock/FactSet text as Markdown: the numeric form (27.11.2026) has no space after the dot.
const DATE_STYLE = { nb: 'short', en: 'medium' } as const;

// Building an Intl formatter costs far more than formatting with one: build each once.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(language: Language, withTime: boolean): Intl.DateTimeFormat {
  const key = `${language}${withTime ? 't' : ''}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'nb-NO', {
      timeZone: TIME_ZONE,
      dateStyle: DATE_STYLE[language],
      ...(withTime ? { timeStyle: 'short' as const } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

export function formatDateTime(iso: string, language: Language): string {
  return formatter(language, true).format(new Date(iso));
}

export function formatDate(isoOrDate: string, language: Language): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(isoOrDate)
    ? new Date(`${isoOrDate}T12:00:00Z`)
    : new Date(isoOrDate);
  return formatter(language, false).format(date);
}
