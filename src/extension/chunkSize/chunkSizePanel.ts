// The chunk-size slider: a webview with a real <input type=range> over "auto" and the
// model's trained chunk sizes, each labelled with its measured speed and held-out quality
// (the trade-off words follow the measured numbers: chunkQuality.ts). Assets come from
// media/ under a CSP with a nonce; no remote content; theme colours via CSS variables.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { ViewTypes } from '../ids';
import type { ChunkSizeSetting } from './chunkSizeSetting';
import type { ChunkSizeController } from './chunkSizeController';
import { chunkChoices, choiceIndex } from './chunkSizeChoices';
import { tradeoffWording, type TradeoffWording } from './chunkQuality';
import type { SpeedProbe } from './speedProbe';

type FromWebview = { type: 'ready' } | { type: 'set'; value: ChunkSizeSetting } | { type: 'measure' };

export interface SliderState {
  type: 'state';
  choices: { value: ChunkSizeSetting; label: string; detail: string }[];
  index: number;
  effective: number;
  ready: boolean;
  wording: TradeoffWording;
}

export class ChunkSizePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly controller: ChunkSizeController,
    private readonly probe: SpeedProbe,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subs.push(controller.onDidChange(() => this.postState()));
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      this.postState();
      return;
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel(
      ViewTypes.chunkSizePanel,
      'CAT: Chunk Size',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, localResourceRoots: [media] },
    );
    panel.iconPath = vscode.Uri.joinPath(media, 'icon.png');
    panel.webview.html = this.html(panel.webview, media);
    panel.webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m), undefined, this.subs);
    panel.onDidDispose(() => (this.panel = undefined), undefined, this.subs);
    this.panel = panel;
  }

  state(): SliderState {
    const view = this.controller.view();
    const choices = chunkChoices(view);
    return {
      type: 'state', choices, index: choiceIndex(choices, view.setting), effective: view.effective, ready: view.trained.length > 0,
      wording: tradeoffWording(view.trained, view.bitsPerByte),
    };
  }

  private postState(): void {
    if (!this.panel) return;
    void this.panel.webview.postMessage(this.state()).then(undefined, (e) => this.log.debug(`slider post: ${String(e)}`));
  }

  private async onMessage(m: FromWebview): Promise<void> {
    try {
      if (m.type === 'ready') this.postState();
      else if (m.type === 'set') {
        await this.controller.set(m.value);
        this.log.info(`chunk size set to ${m.value} from the slider`);
      } else if (m.type === 'measure') await this.probe.run();
    } catch (e) {
      this.log.warn(`slider action '${m.type}' failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private html(webview: vscode.Webview, media: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'chunkSlider.css'));
    const js = webview.asWebviewUri(vscode.Uri.joinPath(media, 'chunkSlider.js'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `img-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>CAT: Chunk Size</title>
</head>
<body>
<main>
  <h1>Chunk size</h1>
  <p class="hint"><span id="chunk-hint">Each chunk of C tokens is compressed into one entry; larger chunks mean fewer entries: faster, less memory.</span> Changes apply to the next completion.</p>
  <div class="scale"><span id="scale-left">small C</span><span id="scale-right">speed</span></div>
  <input id="chunk-size" type="range" min="0" max="0" step="1" value="0" list="chunk-ticks" aria-describedby="chunk-current" disabled>
  <datalist id="chunk-ticks"></datalist>
  <ol id="chunk-labels" class="labels"></ol>
  <p id="chunk-current" class="current" aria-live="polite">Loading the model…</p>
  <button id="measure" type="button">Measure speeds</button>
</main>
<script nonce="${nonce}" src="${js}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const s of this.subs) s.dispose();
  }
}
