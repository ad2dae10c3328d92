// "CAT: Set Chunk Size": the slider's choices in a quick pick, for keyboard users.
import * as vscode from 'vscode';
import type { ChunkSizeController } from './chunkSizeController';
import { chunkChoices, choiceIndex } from './chunkSizeChoices';
import { tradeoffWording } from './chunkQuality';

export async function pickChunkSize(controller: ChunkSizeController, log: vscode.LogOutputChannel): Promise<void> {
  const view = controller.view();
  if (view.trained.length === 0) {
    void vscode.window.showWarningMessage('CAT: the model is not loaded, so its chunk sizes are unknown.');
    return;
  }
  const choices = chunkChoices(view);
  const current = choiceIndex(choices, view.setting);
  const items = choices.map((c, i) => ({
    label: `${i === current ? '$(check) ' : ''}${c.value === 'auto' ? 'auto' : `C = ${c.label}`}`,
    description: c.detail,
    value: c.value,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `CAT chunk size (now ${view.effective}): ${tradeoffWording(view.trained, view.bitsPerByte).short}`,
    placeHolder: 'Choose the chunk size for completions and summaries',
  });
  if (!picked) return;
  await controller.set(picked.value);
  log.info(`chunk size set to ${picked.value} from the quick pick`);
}
