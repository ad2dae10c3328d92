// Every identifier the extension exposes, declared once. package.json must match these
// (test/extension-unit/manifest.test.ts checks it).

export const EXTENSION_ID = 'cat-lm.cat-lm';
export const OUTPUT_CHANNEL = 'CAT Local Assist';
export const CONFIG_SECTION = 'cat';

export const Commands = {
  summarizeOpenFile: 'cat.summarizeOpenFile',
  setChunkSize: 'cat.setChunkSize',
  openChunkSizeSlider: 'cat.openChunkSizeSlider',
  showEngineStatus: 'cat.showEngineStatus',
  clearChunkCache: 'cat.clearChunkCache',
  restartEngine: 'cat.restartEngine',
  measureChunkSpeeds: 'cat.measureChunkSpeeds',
  toggleInline: 'cat.toggleInlineCompletions',
  /** Internal: opens a document at a 1-based line (used by summary links). */
  revealLine: 'cat.revealLine',
} as const;

/** Setting keys relative to the `cat` section. Defaults live only in package.json. */
export const SettingKeys = {
  modelPath: 'modelPath',
  executionProvider: 'executionProvider',
  threads: 'threads',
  chunkSize: 'chunkSize',
  autoTargetMsPerToken: 'autoChunkSize.targetMsPerToken',
  inlineEnabled: 'inline.enabled',
  inlineAdaptiveDebounce: 'inline.adaptiveDebounce',
  inlineDebounceMs: 'inline.debounceMs',
  inlineMaxLines: 'inline.maxLines',
  inlineMaxTokens: 'inline.maxTokens',
  inlineTimeBudgetMs: 'inline.timeBudgetMs',
  inlineMinConfidence: 'inline.minConfidence',
  indexEnabled: 'index.enabled',
  indexWorkspaceTokenBudget: 'index.workspaceTokenBudget',
  contextEntryBudget: 'context.crossFileEntryBudget',
  cacheMemoryMB: 'cache.memoryBudgetMB',
  cachePersist: 'cache.persist',
  cacheBackground: 'cache.backgroundCompression',
  cacheIdleMs: 'cache.idleDelayMs',
  maxFileSizeKB: 'maxFileSizeKB',
  summaryMaxPassages: 'summary.maxPassages',
  summaryOverview: 'summary.overview',
} as const;

export const ViewTypes = {
  chunkSizePanel: 'cat.chunkSizeSlider',
} as const;

/** Language of the summary documents (Markdown files in the extension's storage). */
export const SUMMARY_LANGUAGE = 'markdown';
