// Lint rules that catch real bugs in async, typed code; formatting is prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * `p.catch(() => {})` or `p.catch(() => undefined)` swallows an error; like an
 * empty catch block it needs a comment (within its statement or on the line above it) saying
 * why the error cannot matter, or it should log.
 */
const silentCatch = {
  meta: {
    type: 'problem',
    messages: { silent: 'a swallowed rejection needs a comment saying why it cannot matter, or a log' },
  },
  create(context) {
    const source = context.sourceCode;
    const isSilent = (fn) =>
      (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') &&
      ((fn.body.type === 'BlockStatement' &&
        fn.body.body.length === 0 &&
        source.getCommentsInside(fn.body).length === 0) ||
        (fn.body.type === 'Identifier' && fn.body.name === 'undefined'));
    return {
      CallExpression(node) {
        const callee = node.callee;
        if (
          callee.type !== 'MemberExpression' ||
          callee.property.type !== 'Identifier' ||
          callee.property.name !== 'catch'
        )
          return;
        const handler = node.arguments[0];
        if (!handler || !isSilent(handler)) return;
        let statement = node;
        while (statement.parent && !/(Statement|Declaration)$/.test(statement.type)) statement = statement.parent;
        const line = statement.loc.start.line;
        const commented = source
          .getAllComments()
          .some((c) => c.loc.end.line >= line - 1 && c.loc.start.line <= handler.loc.end.line);
        if (!commented) context.report({ node: handler, messageId: 'silent' });
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'bench/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    plugins: { podnet: { rules: { 'silent-catch': silentCatch } } },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test() and describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // A swallowed error is logged, or a comment says why it cannot matter.
      'no-empty': ['error', { allowEmptyCatch: false }],
      'podnet/silent-catch': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests read JSON from real clients and servers; typing every parsed reply would add nothing.
    files: ['src/**/*.test.ts', 'src/e2e/**', 'src/**/testing/**', 'src/**/conformance.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Test fakes implement async interfaces without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
