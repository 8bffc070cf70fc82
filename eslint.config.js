import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'fixtures/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Forges and the app are the only places allowed to know about GitHub's SDKs.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@octokit/*', 'octokit'], message: 'Only src/forge/github/ may import Octokit.' },
            { group: ['probot', 'probot/*'], message: 'Only src/app/ may import Probot.' },
          ],
        },
      ],
    },
  },
  {
    // A codemod sees the engine and the project only through codemods/api.ts.
    files: ['codemods/**'],
    ignores: ['codemods/api.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/src/**'], message: 'Codemods import what they need from codemods/api.ts, never from src/.' }, { group: ['@octokit/*', 'octokit', 'probot', 'probot/*'], message: 'Codemods never talk to GitHub.' }] },
      ],
    },
  },
  { files: ['src/forge/github/**'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['src/app/**'], rules: { 'no-restricted-imports': 'off' } },
);
