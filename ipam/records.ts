// JSON (de)serialisation of stored records with the key in every error, so a corrupt record is
// reported where it is and never silently replaced.
import type { Datastore, KeyValue } from './datastore';
import { CorruptRecordError } from './errors';

export interface Stored<T> {
  readonly key: string;
  readonly value: T;
  readonly revision: number;
}

export type Check<T> = (v: unknown) => v is T;

export function decode<T>(kv: KeyValue, check: Check<T>, what: string): Stored<T> {
  let v: unknown;
  try {
    v = JSON.parse(kv.value);
  } catch (err) {
    throw new CorruptRecordError(kv.key, `not JSON (${(err as Error).message})`);
  }
  if (!check(v)) throw new CorruptRecordError(kv.key, `not a valid ${what}`);
  return { key: kv.key, value: v, revision: kv.revision };
}

export async function getRecord<T>(ds: Datastore, key: string, check: Check<T>, what: string): Promise<Stored<T> | undefined> {
  const kv = await ds.get(key);
  return kv ? decode(kv, check, what) : undefined;
}

export async function listRecords<T>(ds: Datastore, prefix: string, check: Check<T>, what: string): Promise<Stored<T>[]> {
  return (await ds.list(prefix)).map((kv) => decode(kv, check, what));
}
