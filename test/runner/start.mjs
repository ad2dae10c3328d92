// `npm run start`: serve VS Code (code-server, offline) with this extension loaded from the
// repository, for a person to use in a browser. Ctrl+C stops the server and its children.
//   node test/runner/start.mjs [--port 8080] [FOLDER]
import path from 'node:path';
import { REPO_ROOT, log, makeSandbox, remoteUri, removeSandbox, startCodeServer, workbenchUrl } from './code-server.mjs';

const argv = process.argv.slice(2);
const portAt = argv.indexOf('--port');
const port = portAt >= 0 ? Number(argv.splice(portAt, 2)[1]) : 8080;
const folder = path.resolve(argv[0] ?? REPO_ROOT);

const sb = makeSandbox('cat-start');
const server = await startCodeServer(sb, { port, echo: false });
const url = workbenchUrl(server, {
  folder,
  payload: [['extensionDevelopmentPath', remoteUri(server, REPO_ROOT)]],
});
log(`VS Code with the CAT extension: ${url}`);
log('(open it in a browser on this machine; Ctrl+C stops the server)');
const stop = () => server.stop().then(() => removeSandbox(sb)).finally(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
