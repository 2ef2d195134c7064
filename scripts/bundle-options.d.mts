import type { BuildOptions } from 'esbuild';
export declare const BUNDLE_BASE: Pick<BuildOptions, 'bundle' | 'platform' | 'target' | 'format' | 'external'>;
