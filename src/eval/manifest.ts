// Setting defaults as the extension's manifest declares them (package.json contributes.configuration,
// the one place they live), so the evaluations run what a user gets by default.
import * as fs from 'node:fs';
import * as path from 'node:path';

let props: Record<string, { default?: unknown }> | undefined;

/** The numeric default of a setting (full key, e.g. 'cat.index.workspaceTokenBudget'). */
export function manifestDefault(key: string): number {
  const all = (props ??= JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')).contributes?.configuration?.properties ?? {});
  const v = all[key]?.default;
  if (typeof v !== 'number') throw new Error(`package.json: ${key} has no numeric default`);
  return v;
}
