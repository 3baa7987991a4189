import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.3pio/**',
      '.nx/**',
      'fixtures/**',
      '**/_sidecar/**',
      '**/.venv*/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  // Sizes a reader can hold: no source file over 400 lines, no function over 80 (tests aside:
  // a describe block is a table of cases).
  {
    files: ['packages/*/src/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.mjs', 'scripts/**/*.mjs'],
    ignores: ['**/*.test.ts'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 80 }],
    },
  },
  // CommonJS files (Jest loads reporters given by path with require) import with require.
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
