export { createGitHubForge, GITHUB_MAX_BODY_LENGTH, type GitHubForgeOptions, type TokenProvider } from './forge.js';
export type { RetryOptions } from './request.js';
