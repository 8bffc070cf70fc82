export { openWorkspace, withWorkspace, type DisposableWorkspace } from './workspace.js';
export { gitAuthEnv, scrubSecrets } from './git.js';
export { acquireRepoLock, type RepoLock, type LockOptions } from './lock.js';
export { WorkspaceError, type BotIdentity, type DiffStatEntry, type RemoteBranch, type Workspace, type WorkspaceOptions } from './types.js';
