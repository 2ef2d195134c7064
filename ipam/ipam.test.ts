import { describe } from 'vitest';
import { MemoryStore } from './store/memory-store';
import { allocatorSuite } from './testing/allocator-suite';

describe('allocator (memory store)', () => allocatorSuite(async () => new MemoryStore()));
