// The chunk size in effect: the setting (a trained size, or "auto" driven by live latency
// measurements). A change applies to the next request; choices are saved in settings.
import * as vscode from 'vscode';
import type { EngineInfo } from '../../engine/types';
import { SettingKeys } from '../ids';
import { Settings } from '../settings';
import type { ChunkSizeSetting } from './chunkSizeSetting';
import { LatencyBook, pickAutoChunkSize, snapChunkSize, type SizeSummary } from './latencyBook';

export interface ChunkSizeView {
  setting: ChunkSizeSetting;
  effective: number;
  trained: number[];
  targetMsPerToken: number;
  sizes: SizeSummary[];
  /** Held-out bits/byte per chunk size from the contract; undefined = unknown. */
  bitsPerByte?: Record<string, number>;
}

export class ChunkSizeController implements vscode.Disposable {
  private info: EngineInfo | undefined;
  private effectiveSize: number | undefined;
  private readonly changed = new vscode.EventEmitter<ChunkSizeView>();
  readonly onDidChange = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly settings: Settings,
    readonly book: LatencyBook,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (Settings.affects(e, SettingKeys.chunkSize, SettingKeys.autoTargetMsPerToken)) this.recompute('setting changed');
      }),
    );
  }

  /** The engine (re)loaded: its trained sizes are now known. */
  setEngineInfo(info: EngineInfo | undefined): void {
    this.info = info;
    this.recompute('engine loaded');
  }

  get trained(): number[] {
    return this.info?.chunkSizes ?? [];
  }

  /** The chunk size the next request uses. */
  get current(): number {
    if (this.effectiveSize === undefined) this.recompute('first use');
    return this.effectiveSize ?? this.info?.defaultChunkSize ?? 16;
  }

  view(): ChunkSizeView {
    return {
      setting: this.settings.chunkSize(),
      effective: this.current,
      trained: this.trained,
      targetMsPerToken: this.settings.autoTargetMsPerToken(),
      sizes: this.book.summaries(this.trained),
      bitsPerByte: this.info?.quality?.bitsPerByte,
    };
  }

  /** Save a new choice; the configuration event then applies it. */
  async set(value: ChunkSizeSetting): Promise<void> {
    const v = value === 'auto' ? 'auto' : snapChunkSize(value, this.trained.length ? this.trained : [value]);
    await this.settings.update(SettingKeys.chunkSize, v);
    this.recompute('set'); // do not wait for the configuration event
  }

  /** A completion finished: feed the measurement; "auto" may move. */
  record(chunkSize: number, ms: number, tokens: number, firstTokenMs?: number): void {
    this.book.record(chunkSize, ms, tokens, firstTokenMs);
    if (this.settings.chunkSize() === 'auto') this.recompute('measurement');
    else this.changed.fire(this.view());
  }

  private recompute(why: string): void {
    const setting = this.settings.chunkSize();
    const trained = this.trained;
    let next: number;
    if (!this.info) {
      next = typeof setting === 'number' ? setting : 16;
    } else if (setting === 'auto') {
      next = pickAutoChunkSize(this.book.summaries(trained), this.settings.autoTargetMsPerToken(), this.info.defaultChunkSize, this.info.quality?.bitsPerByte);
    } else {
      next = snapChunkSize(setting, trained);
      if (next !== setting) this.log.warn(`chunk size ${setting} is not one the model was trained with (${trained.join(', ')}); using ${next}`);
    }
    const before = this.effectiveSize;
    this.effectiveSize = next;
    if (before !== next) this.log.info(`chunk size ${before ?? '-'} -> ${next} (${setting === 'auto' ? 'auto, ' : ''}${why})`);
    this.changed.fire(this.view());
  }

  dispose(): void {
    this.changed.dispose();
    for (const s of this.subs) s.dispose();
  }
}
