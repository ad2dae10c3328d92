// package.json contributes what ids.ts declares, with defaults only there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Commands, CONFIG_SECTION, SettingKeys } from '../../src/extension/ids';

const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
const props: Record<string, { default?: unknown; scope?: string }> = pkg.contributes.configuration.properties;

test('every command in ids.ts is contributed with the CAT category, and nothing else', () => {
  const contributed = pkg.contributes.commands.map((c: { command: string; category: string }) => {
    assert.equal(c.category, 'CAT', c.command);
    return c.command;
  });
  assert.deepEqual([...contributed].sort(), Object.values(Commands).sort());
});

test('every setting key has a default in package.json, and package.json has no unknown cat.* key', () => {
  const keys = Object.values(SettingKeys).map((k) => `${CONFIG_SECTION}.${k}`);
  for (const k of keys) assert.ok(props[k] && 'default' in props[k], `${k} needs a default`);
  assert.deepEqual(Object.keys(props).sort(), [...keys].sort());
});

test('settings that point at files or the machine are machine-scoped', () => {
  for (const k of ['modelPath', 'executionProvider', 'threads', 'cache.memoryBudgetMB', 'cache.persist']) {
    assert.equal(props[`cat.${k}`].scope, 'machine', k);
  }
});

test('summarize is in the editor title and context menus; the bundle entry and icon exist', () => {
  const has = (menu: string) => pkg.contributes.menus[menu].some((m: { command: string }) => m.command === Commands.summarizeOpenFile);
  assert.ok(has('editor/title'));
  assert.ok(has('editor/context'));
  assert.equal(pkg.main, './dist/extension.js');
  assert.ok(readFileSync(path.join(__dirname, '..', '..', pkg.icon)).length > 100);
});
