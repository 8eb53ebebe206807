import type { Storage, StoreItems } from 'botbuilder';
import { StateStore } from '../store/state-store';

/**
 * botbuilder `Storage` on Azure Tables, for teams-ai TurnState. Etags make a write that raced
 * another instance fail instead of overwriting it; MemoryStorage would lose every user's place
 * on restart and disagree between instances.
 */
export class TableStorage implements Storage {
  /**
   * @param kept which state keys are stored at all. The bot keeps user state (the report
   * draft) and no conversation state, so reading and writing conversation keys is skipped:
   * one table read less on every turn.
   */
  constructor(
    private readonly store: StateStore,
    private readonly kept: (key: string) => boolean = () => true,
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    const docs = await this.store.read(keys.filter(this.kept));
    const items: StoreItems = {};
    for (const [key, doc] of docs) items[key] = { ...JSON.parse(doc.json), eTag: doc.etag };
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await Promise.all(
      Object.entries(changes)
        .filter(([key]) => this.kept(key))
        .map(([key, item]) => {
          const { eTag, ...value } = (item ?? {}) as { eTag?: string };
          return this.store.write(key, JSON.stringify(value), eTag);
        }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await this.store.delete(keys);
  }
}
