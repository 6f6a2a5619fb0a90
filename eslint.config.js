import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@educloud/signaling',
                '@educloud/sfu',
                '@educloud/collab',
                '@educloud/rtmp-ingest',
                '@educloud/server',
              ],
              message: 'Workspaces talk through @educloud/protocol; only server/ composes them.',
            },
          ],
        },
      ],
    },
  },
  { files: ['server/**', 'bench/**', 'e2e/**'], rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['**/*.mjs', '**/*.js'],
    // Scripts run in Node and hand functions to Chromium (page.evaluate).
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'fetch',
          'URL',
          'Buffer',
          'performance',
          'AbortController',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'window',
          'document',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
