/**
 * ESLint (flat config): JavaScript's and typescript-eslint's recommended rules (the syntactic set: the type-aware
 * one would type-check the whole tree on every run), eslint-plugin-vue's recommended rules for the desk, and the
 * layering rule `hdrl/layers`, which reports an import that runs up a layer (scripts/layers.mjs holds the layers;
 * docs/architecture.md explains them). Layout — line length, wrapping, indentation, attribute placement — is
 * Prettier's business (.prettierrc.json), so eslint-config-prettier turns every layout rule off.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { ALLOWED_UPWARD, layerViolation, relPath, resolveImport } from './scripts/layers.mjs';

/** `hdrl/layers`: an import (static, dynamic, type-only or re-export) of a file in a higher layer is an error. */
const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid imports that run up a layer (scripts/layers.mjs)' },
    schema: [],
    messages: { upward: '{{target}}: {{why}} (layers: scripts/layers.mjs, docs/architecture.md)' },
  },
  create(context) {
    const from = relPath(context.filename);
    const check = (node) => {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      const target = resolveImport(from, node.value);
      if (!target || `${from} -> ${target}` in ALLOWED_UPWARD) return;
      const why = layerViolation(from, target);
      if (why) context.report({ node, messageId: 'upward', data: { target, why } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) => check(node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
    };
  },
};

export default tseslint.config(
  {
    // built output, installed packages, scratch folders (.gitignore) and declaration files
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      '.electron-native/**',
      '.e2e/**',
      'test-results/**',
      '.hdrl/**',
      '.tmp/**',
      '.tmpdb/**',
      '.tmp-*/**',
      'coverage/**',
      'resources/**',
      '**/*.d.ts',
      '**/*.d.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
    rules: {
      // attribute order is a reading habit, not a defect; reordering every template would churn the whole desk
      'vue/attributes-order': 'off',
      // the rule guards against clashes with HTML element names; Placeholder and Skeleton clash with none
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { hdrl: { rules: { layers: layersRule } } },
    rules: {
      'hdrl/layers': 'error',
      // `_name` marks a parameter or binding kept for its position or to drop a field from a rest copy
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  prettier,
);
