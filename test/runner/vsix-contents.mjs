// Reads the file list of a .vsix (a zip) and checks what it ships: the target's
// onnxruntime binaries only, no training code / checkpoints / dense baseline / tests / sources / corpus,
// the bundle, and shipped model folders within the size limit.
import fs from 'node:fs';

export const MODEL_FOLDER_LIMIT_MB = 40;

/** vsce target -> onnxruntime-node's binary folder (bin/napi-v6/<os>/<arch>). */
export const ORT_BIN_FOLDERS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'darwin-x64': 'darwin/x64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};
const ORT_BIN = 'extension/node_modules/onnxruntime-node/bin/napi-v6/';

/** Central directory of a zip: [{ name, size, compressedSize }]. Zip64 is not needed here. */
export function listZip(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file (no end-of-central-directory record)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff) throw new Error(`${file} uses zip64, which this reader does not handle`);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: corrupt central directory at entry ${n}`);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    entries.push({ name, size, compressedSize });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const MB = 1024 * 1024;
export const mb = (bytes) => `${(bytes / MB).toFixed(1)} MB`;

/** Sizes of the shipped model folders: { 'models/<name>': bytes }. */
export function modelFolderSizes(entries) {
  const sizes = {};
  for (const e of entries) {
    const m = /^extension\/(models\/[^/]+)\//.exec(e.name);
    if (m) sizes[m[1]] = (sizes[m[1]] ?? 0) + e.size;
  }
  return sizes;
}

/** Problems with a .vsix built for `target` (empty list = fine). */
export function checkVsixContents(entries, target) {
  const problems = [];
  const names = entries.map((e) => e.name);
  const has = (re) => names.some((n) => re.test(n));
  const wantedBin = ORT_BIN_FOLDERS[target];
  if (!wantedBin) problems.push(`unknown target ${target}`);

  for (const required of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/engineWorker.js']) {
    if (!names.includes(required)) problems.push(`missing ${required}`);
  }
  if (!has(/^extension\/node_modules\/onnxruntime-node\/dist\//)) problems.push('missing onnxruntime-node JavaScript (node_modules/onnxruntime-node/dist)');
  if (!has(/^extension\/node_modules\/onnxruntime-common\//)) problems.push('missing onnxruntime-common');
  if (wantedBin && !names.includes(`${ORT_BIN}${wantedBin}/onnxruntime_binding.node`)) {
    problems.push(`missing the ${target} onnxruntime binary (${ORT_BIN}${wantedBin}/onnxruntime_binding.node)`);
  }
  const foreign = new Set(names.filter((n) => n.startsWith(ORT_BIN) && !n.startsWith(`${ORT_BIN}${wantedBin}/`))
    .map((n) => n.slice(ORT_BIN.length).split('/').slice(0, 2).join('/')));
  for (const f of foreign) problems.push(`ships onnxruntime binaries of another platform: bin/napi-v6/${f}`);

  const forbidden = [
    [/^extension\/models\/pipeline\//, 'the training pipeline (models/pipeline)'],
    [/^extension\/models\/dense-[^/]*\//, 'the dense baseline model (models/dense-*)'],
    [/^extension\/models\/checkpoints\//, 'training checkpoints (models/checkpoints)'],
    [/^extension\/test\//, 'tests (test/)'],
    [/^extension\/src\//, 'TypeScript sources (src/)'],
    [/^extension\/corpus\//, 'the training corpus (corpus/)'],
    [/^extension\/runs\//, 'training runs (runs/)'],
    [/^extension\/\.vscode-test\//, 'the code-server test install (.vscode-test/)'],
    [/^extension\/node_modules\/(playwright-core|typescript|esbuild|@vscode\/vsce|mocha)\//, 'dev dependencies'],
  ];
  for (const [re, what] of forbidden) if (has(re)) problems.push(`ships ${what}`);

  const models = modelFolderSizes(entries);
  if (!Object.keys(models).some((m) => names.includes(`extension/${m}/contract.json`))) {
    problems.push('no shipped model folder with a contract.json under models/');
  }
  for (const [folder, bytes] of Object.entries(models)) {
    if (bytes > MODEL_FOLDER_LIMIT_MB * MB) problems.push(`${folder} is ${mb(bytes)} (limit ${MODEL_FOLDER_LIMIT_MB} MB)`);
  }
  return problems;
}
