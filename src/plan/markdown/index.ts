export { parseSprintPlan } from './parse.js';
export { loadSprintPlan, decodePlan } from './load.js';
export { extractRefs, normalisePlanPath, isRootedRef, REF_EXTENSIONS } from './refs.js';
export { indexRepoFiles, lookupRef, resolvePlanRefs, type RepoFileIndex, type RefLookup } from './resolve.js';
export type * from './types.js';
