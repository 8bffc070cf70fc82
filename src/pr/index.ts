export { BRANCH_PREFIX, branchName, slugify } from './branch.js';
export { prTitle, itemLabel, TITLE_MAX } from './title.js';
export { prBody, BodyLimitError } from './body.js';
export { parseMetadata, prMetadata, renderMetadata, findingsDigest } from './metadata.js';
export { prerequisitesOf, REVERT_COMMAND, CLOSE_NOTE, SAFETY_EXPLANATIONS } from './sections.js';
export type { PrInput, PrMetadata, PrCodemod, PrPart, LeftAlone, DiffStatEntry, VerificationCheck, Safety } from './types.js';
