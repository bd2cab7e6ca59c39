import type { ModuleManifest } from '../kernel/module.ts';
import * as listed from '../modules/modules.ts';

/** Every module's manifest (modules/<name>/module.ts), as modules/modules.ts lists them. */
export const modules: ModuleManifest[] = Object.values(listed);

type Listed = typeof listed;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Declared<Key extends string> = UnionToIntersection<
  { [M in keyof Listed]: Listed[M] extends Record<Key, infer P> ? P : never }[keyof Listed]
>;

/** Every module's table partitions, by name (the names are unique across modules: a test checks). */
export type ModulePartitions = Declared<'partitions'>;
/** Every module's index partitions, by name. */
export type ModuleIndexPartitions = Declared<'indexPartitions'>;

const merged = (key: 'partitions' | 'indexPartitions') => Object.assign({}, ...modules.map((module) => module[key] ?? {}));
export const modulePartitions: ModulePartitions = merged('partitions');
export const moduleIndexPartitions: ModuleIndexPartitions = merged('indexPartitions');
