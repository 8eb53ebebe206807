/** Reading the Adaptive Cards the bot sends, the way Teams would render and act on them. */

export interface CardAction {
  type: string;
  title?: string;
  verb?: string;
  data?: Record<string, any>;
  /** The inputs of the card the action submits (its own card for a ShowCard child). */
  inputs: any[];
}

function walkElements(items: any[] | undefined, visit: (element: any) => void): void {
  for (const item of items ?? []) {
    if (!item || typeof item !== 'object') continue;
    visit(item);
    walkElements(item.items, visit);
    walkElements(item.columns, visit);
    if (item.type === 'ActionSet') walkElements(item.actions, visit);
  }
}

/** Every element of the card body (containers, columns and action sets flattened). */
export function elementsOf(card: any): any[] {
  const found: any[] = [];
  walkElements(card?.body, (e) => found.push(e));
  return found;
}

export function inputsOf(card: any): any[] {
  return elementsOf(card).filter((e) => typeof e.type === 'string' && e.type.startsWith('Input.'));
}

export function inputIds(card: any): string[] {
  return inputsOf(card).map((i) => i.id);
}

export function inputValue(card: any, id: string): unknown {
  return inputsOf(card).find((i) => i.id === id)?.value;
}

/** Every action a user can press: top-level, in action sets, and inside Action.ShowCard cards. */
export function actionsOf(card: any): CardAction[] {
  const found: CardAction[] = [];
  const collect = (actions: any[] | undefined, owner: any) => {
    for (const a of actions ?? []) {
      if (!a) continue;
      found.push({
        type: a.type,
        title: a.title,
        verb: a.verb,
        data: a.data,
        inputs: inputsOf(owner),
      });
      if (a.type === 'Action.ShowCard') collect(a.card?.actions, a.card);
    }
  };
  collect(card?.actions, card);
  for (const set of elementsOf(card).filter((e) => e.type === 'ActionSet'))
    collect(set.actions, card);
  return found;
}

/** The Action.Execute with this verb (also inside a ShowCard); throws when the card has none. */
export function executeAction(card: any, verb: string): CardAction {
  const action = actionsOf(card).find((a) => a.type === 'Action.Execute' && a.verb === verb);
  if (!action)
    throw new Error(
      `card has no Action.Execute "${verb}"; it has ${actionsOf(card)
        .map((a) => a.verb ?? a.type)
        .join(', ')}`,
    );
  return action;
}

export function verbsOf(card: any): string[] {
  return actionsOf(card)
    .filter((a) => a.type === 'Action.Execute')
    .map((a) => a.verb!);
}

/** All text a reader sees: TextBlocks, facts (title: value), input labels and values. */
export function cardText(card: any): string {
  const parts: string[] = [];
  for (const e of elementsOf(card)) {
    if (e.type === 'TextBlock' && typeof e.text === 'string') parts.push(e.text);
    if (e.type === 'FactSet') for (const f of e.facts ?? []) parts.push(`${f.title}: ${f.value}`);
    if (typeof e.label === 'string') parts.push(e.label);
    if (typeof e.title === 'string') parts.push(e.title);
  }
  return parts.join('\n');
}

/** The value of a fact by its title. */
export function factValue(card: any, title: string): string | undefined {
  for (const e of elementsOf(card)) {
    if (e.type !== 'FactSet') continue;
    const fact = (e.facts ?? []).find((f: any) => f.title === title);
    if (fact) return fact.value;
  }
  return undefined;
}

export const REFERENCE = /AVV-\d{4}-\d{4,}/;

export function referenceIn(card: any): string | undefined {
  return REFERENCE.exec(JSON.stringify(card))?.[0];
}

/** The error text shown right after an input (the form puts it beside the field), or undefined. */
export function errorBeside(card: any, inputId: string): string | undefined {
  const elements = elementsOf(card);
  const index = elements.findIndex((e) => e.id === inputId);
  if (index === -1) throw new Error(`card has no input "${inputId}"`);
  const next = elements[index + 1];
  return next?.type === 'TextBlock' && next.color === 'Attention' ? next.text : undefined;
}
