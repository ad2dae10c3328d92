// The one place that reads the extension's settings. Defaults live only in package.json
// (contributes.configuration); this file never repeats them.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProviderSetting } from '../engine/types';
import { parseChunkSizeSetting, type ChunkSizeSetting } from './chunkSize/chunkSizeSetting';
import { CONFIG_SECTION, SettingKeys } from './ids';
import { parseMinConfidence } from './inline/gate';

export type { ChunkSizeSetting } from './chunkSize/chunkSizeSetting';

export interface EngineSettings {
  modelDir: string;
  provider: ProviderSetting;
  threads: number | undefined;
  cacheBytes: number;
  persist: boolean;
}

export interface InlineSettings {
  enabled: boolean;
  adaptiveDebounce: boolean;
  debounceMs: number;
  maxLines: number;
  maxTokens: number;
  /** Multi-line suggestions end at the first line break after this many ms (0: no limit). */
  timeBudgetMs: number;
  contextEntryBudget: number;
  /** Mix the exact token index into decoding (cat.index.enabled). */
  useIndex: boolean;
  /** Confidence gate threshold; undefined = the model's calibrated one, 0 = show everything. */
  minConfidence: number | undefined;
}

export interface IndexSettings {
  enabled: boolean;
  /** Approximate tokens of workspace files (not open) to index; 0 = open documents only. */
  workspaceTokenBudget: number;
}

export interface CacheSettings {
  background: boolean;
  idleMs: number;
}

function parseProvider(raw: unknown): ProviderSetting {
  return raw === 'cuda' || raw === 'cpu' ? raw : 'auto';
}

export class Settings {
  constructor(private readonly extensionPath: string) {}

  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(CONFIG_SECTION);
  }

  private num(key: string): number {
    const v = this.cfg.get<number>(key);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`setting ${CONFIG_SECTION}.${key} has no numeric default (package.json)`);
    }
    return v;
  }

  private bool(key: string): boolean {
    return this.cfg.get<boolean>(key) === true;
  }

  /** Machine-scoped values only come from user/machine settings (VS Code enforces the scope). */
  engine(): EngineSettings {
    const configured = (this.cfg.get<string>(SettingKeys.modelPath) ?? '').trim();
    const modelDir = configured
      ? path.resolve(configured.replace(/^~(?=$|[\\/])/, process.env.HOME ?? '~'))
      : path.join(this.extensionPath, 'models', 'cat-code-small');
    const threads = this.num(SettingKeys.threads);
    return {
      modelDir,
      provider: parseProvider(this.cfg.get(SettingKeys.executionProvider)),
      threads: threads > 0 ? threads : undefined,
      cacheBytes: this.num(SettingKeys.cacheMemoryMB) * 1024 * 1024,
      persist: this.bool(SettingKeys.cachePersist),
    };
  }

  chunkSize(): ChunkSizeSetting {
    return parseChunkSizeSetting(this.cfg.get(SettingKeys.chunkSize));
  }

  autoTargetMsPerToken(): number {
    return this.num(SettingKeys.autoTargetMsPerToken);
  }

  inline(): InlineSettings {
    return {
      enabled: this.bool(SettingKeys.inlineEnabled),
      adaptiveDebounce: this.bool(SettingKeys.inlineAdaptiveDebounce),
      debounceMs: this.num(SettingKeys.inlineDebounceMs),
      maxLines: this.num(SettingKeys.inlineMaxLines),
      maxTokens: this.num(SettingKeys.inlineMaxTokens),
      timeBudgetMs: this.num(SettingKeys.inlineTimeBudgetMs),
      contextEntryBudget: this.num(SettingKeys.contextEntryBudget),
      useIndex: this.bool(SettingKeys.indexEnabled),
      minConfidence: parseMinConfidence(this.cfg.get(SettingKeys.inlineMinConfidence)),
    };
  }

  index(): IndexSettings {
    return { enabled: this.bool(SettingKeys.indexEnabled), workspaceTokenBudget: Math.max(0, this.num(SettingKeys.indexWorkspaceTokenBudget)) };
  }

  cache(): CacheSettings {
    return { background: this.bool(SettingKeys.cacheBackground), idleMs: this.num(SettingKeys.cacheIdleMs) };
  }

  maxFileBytes(): number {
    return this.num(SettingKeys.maxFileSizeKB) * 1024;
  }

  summaryMaxPassages(): number {
    return this.num(SettingKeys.summaryMaxPassages);
  }

  summaryOverview(): boolean {
    return this.bool(SettingKeys.summaryOverview);
  }

  /** Save a setting where it is currently defined (the workspace if set there, else the user settings). */
  async update(key: string, value: unknown): Promise<void> {
    const info = this.cfg.inspect(key);
    const target =
      info?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await this.cfg.update(key, value, target);
  }

  /** Fires with true when a change touches any of the given keys. */
  static affects(e: vscode.ConfigurationChangeEvent, ...keys: string[]): boolean {
    return keys.some((k) => e.affectsConfiguration(`${CONFIG_SECTION}.${k}`));
  }
}
