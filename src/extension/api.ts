// What activate() returns: a handle for the integration tests (and other extensions) to
// observe the extension. It exposes the composed objects; it adds no behaviour.
import type { ChunkSizeController } from './chunkSize/chunkSizeController';
import type { ChunkSizePanel } from './chunkSize/chunkSizePanel';
import type { SpeedProbe } from './chunkSize/speedProbe';
import type { DocumentTracker } from './documents/documentTracker';
import type { EngineClient, EngineState } from './engineClient';
import type { WorkspaceIndexer } from './index/workspaceIndexer';
import type { CatInlineCompletionProvider } from './inline/completionProvider';
import type { StatusView } from './status/statusText';
import type { SummarizeCommand } from './summarize/summarizeCommand';

export interface CatApi {
  engine: EngineClient;
  tracker: DocumentTracker;
  chunkSize: ChunkSizeController;
  inline: CatInlineCompletionProvider;
  indexer: WorkspaceIndexer;
  summarize: SummarizeCommand;
  probe: SpeedProbe;
  panel: ChunkSizePanel;
  /** The status bar item's current text/tooltip. */
  status(): StatusView;
  /** Resolves when the engine leaves 'starting'/'restarting' (ready or failed). */
  settled(timeoutMs: number): Promise<EngineState>;
}
