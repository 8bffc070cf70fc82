export { createGitHubForge, GITHUB_MAX_BODY_LENGTH, type GitHubForgeOptions } from './forge.js';
export type { RetryOptions } from './request.js';
