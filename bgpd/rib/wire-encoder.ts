// The real codec behind the RIB's UpdateEncoder interface.
import { encodeAttributes, encodeEndOfRib, packUpdates, packWithdrawals } from '../wire';
import type { UpdateEncoder } from './types';

export const wireEncoder: UpdateEncoder = { encodeAttributes, packUpdates, packWithdrawals, encodeEndOfRib };
