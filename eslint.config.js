// One lint config for the whole tree; core/ may never import a shell or UI library.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'bench/**/build/**', 'coverage/**', 'scratch/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['core/**/*.ts', 'tasks/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'react', 'react-dom', 'three'],
              message: 'core/ stays plain Node: no electron, react or three.',
            },
            {
              group: ['**/renderer/**', '**/main/**', '**/preload/**', '**/server/**', '**/cli/**'],
              message: 'core/ must not import a shell.',
            },
          ],
        },
      ],
    },
  },
);
