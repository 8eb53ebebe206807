import type { TurnContext } from 'botbuilder';

/**
 * Typed commands, matched in linear time whatever arrives: the text is trimmed and capped
 * first, then compared with whole phrases or anchored patterns that cannot backtrack. (A
 * `\s*[.!]?\s*$` tail took over a second on a 28 kB message, and no other turn ran meanwhile.)
 */
export interface TypedCommand {
  /** True when the text is this command. */
  test(text: string | undefined): boolean;
  /** What follows the command word, trimmed ('' when nothing); undefined when it is not this command. */
  argument(text: string | undefined): string | undefined;
}

/** Longer messages (after trimming) are never commands: they get the fallback hint. */
export const MAX_COMMAND_TEXT = 1000;

function trimmedCommandText(text: string | undefined): string | undefined {
  const trimmed = (text ?? '').trim();
  return trimmed && trimmed.length <= MAX_COMMAND_TEXT ? trimmed : undefined;
}

/** One of `phrases` alone, in any case; one of `endings` (e.g. . or !) may follow it. */
export function phrase(phrases: readonly string[], endings = '.!'): TypedCommand {
  const known = new Set(phrases.map((p) => p.toLowerCase()));
  const test = (text: string | undefined) => {
    const t = trimmedCommandText(text)?.toLowerCase();
    if (!t) return false;
    return known.has(t) || (endings.includes(t.slice(-1)) && known.has(t.slice(0, -1).trimEnd()));
  };
  return { test, argument: (text) => (test(text) ? '' : undefined) };
}

/** A command word (`head`: alternatives, no anchors or groups that capture) and then any text. */
export function withArgument(head: string): TypedCommand {
  // After the head only one way to match: whitespace then the rest, or the end.
  const pattern = new RegExp(`^(?:${head})(?:\\s+([\\s\\S]*))?$`, 'i');
  const argument = (text: string | undefined) => {
    const t = trimmedCommandText(text);
    const match = t === undefined ? null : pattern.exec(t);
    return match ? (match[1] ?? '').trim() : undefined;
  };
  return { test: (text) => argument(text) !== undefined, argument };
}

/** A teams-ai route selector: a message whose text is this command. */
export function typedAs(command: TypedCommand) {
  return async (context: TurnContext): Promise<boolean> =>
    context.activity.type === 'message' && command.test(context.activity.text);
}
