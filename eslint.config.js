// One lint config for the whole tree. Besides style, it holds the layers apart (see README, Layout):
//   core/, tasks/        plain Node; may read the api's data shapes (api/types.ts), nothing else of api
//   api/                 the contract (contract, types, framing: no core) and its handlers (over core)
//   main, preload, server, cli   shells: reach the lab through api/ only, never core/ or renderer/
//   renderer/            the UI: the contract's types and client only
//   scripts/             build and start tooling: nothing that runs the lab imports it
import tseslint from 'typescript-eslint';

const shells = ['**/main/**', '**/preload/**', '**/server/**', '**/cli/**'];
const scripts = {
  group: ['**/scripts/**'],
  message: 'scripts/ is build tooling: nothing at run time imports it.',
};
const uiOnly = { group: ['**/renderer/**'], message: 'only the UI imports renderer/.' };
const coreFromShell = {
  group: ['**/core/**', '**/tasks/**'],
  message: 'shells reach the lab through api/ (the typed client, dispatch), never core/ directly.',
};
/** The api files the UI may use: the contract, its data shapes and the client; none imports core. */
const PURE_API = ['api/contract.ts', 'api/types.ts', 'api/framing.ts'];

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

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
    // no-restricted-imports does not see import(): nothing that runs the lab loads scripts/ that way either.
    files: ['core/**', 'tasks/**', 'api/**', 'main/**', 'preload/**', 'server/**', 'cli/**', 'renderer/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression[source.value=/scripts\\//]', message: scripts.message },
      ],
    },
  },
  {
    files: ['core/**/*.ts', 'tasks/**/*.ts'],
    rules: restrict(
      {
        group: ['electron', 'react', 'react-dom', 'three'],
        message: 'core/ stays plain Node: no electron, react or three.',
      },
      { group: [...shells, '**/renderer/**'], message: 'core/ must not import a shell or the UI.' },
      {
        group: ['**/api/*', '!**/api/types.ts'],
        message: 'core/ produces the api’s data shapes (api/types.ts) and imports nothing else of api/.',
      },
      scripts,
    ),
  },
  {
    files: ['main/**/*.ts', 'preload/**/*.ts', 'server/**/*.ts', 'cli/**/*.ts'],
    rules: restrict(coreFromShell, uiOnly, scripts),
  },
  {
    files: ['api/**/*.ts'],
    rules: restrict(uiOnly, scripts, { group: shells, message: 'api/ must not import a shell.' }),
  },
  {
    files: PURE_API,
    rules: restrict(uiOnly, scripts, {
      group: ['**/core/**', '**/tasks/**', 'node:*', './*', '!./contract.ts', '!./types.ts', '!./framing.ts'],
      message:
        'the contract, its types and the client run in the UI too: they import only each other and zod.',
    }),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: restrict(
      {
        group: ['**/core/**', '**/tasks/**', '**/api/*', ...PURE_API.map((f) => `!**/${f}`)],
        message: 'the UI imports only the contract, its types and the client from api/ (never core/).',
      },
      { group: shells, message: 'the UI must not import a shell.' },
      scripts,
    ),
  },
);
