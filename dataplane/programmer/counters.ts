import type { ProgrammerCounters } from './types';

export function newCounters(): ProgrammerCounters {
  return {
    routeAdds: 0, routeReplaces: 0, routeDels: 0, neighSets: 0, neighDels: 0, fdbSets: 0, fdbDels: 0,
    adopted: 0, repairs: 0, resyncs: 0, staleRemoved: 0, errors: {},
  };
}

export function countError(c: ProgrammerCounters, errno: string): void {
  c.errors[errno] = (c.errors[errno] ?? 0) + 1;
}
