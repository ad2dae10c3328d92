// Bundles the extension, the engine worker, the CLI and the integration suite into dist/.
// Type checking is separate (`npm run check-types` = tsc --noEmit).
// Usage: node esbuild.js [--production] [--watch]
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = __dirname;

/** Native/runtime modules resolved at run time from node_modules (packaged in the .vsix). */
const external = ['vscode', 'onnxruntime-node', 'mocha'];

const targets = [
  { in: 'src/extension/extension.ts', out: 'dist/extension.js' },
  { in: 'src/worker/engineWorker.ts', out: 'dist/engineWorker.js' },
  { in: 'src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node', optional: true, executable: true },
  { in: 'test/integration/index.ts', out: 'dist/test/integration/index.js', optional: true, dev: true },
].filter((t) => !t.optional || fs.existsSync(path.join(root, t.in)));

/** Prints errors in the problem-matcher format `npm run watch` users expect. */
const reporter = {
  name: 'reporter',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

/** Marks the CLI executable after each build. */
function chmodPlugin(outfile) {
  return {
    name: 'chmod',
    setup(build) {
      build.onEnd((result) => {
        if (result.errors.length === 0 && fs.existsSync(outfile)) fs.chmodSync(outfile, 0o755);
      });
    },
  };
}

async function main() {
  const contexts = await Promise.all(
    targets.map((t) =>
      esbuild.context({
        entryPoints: [path.join(root, t.in)],
        outfile: path.join(root, t.out),
        bundle: true,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        minify: production && !t.dev,
        sourcemap: !production || t.dev,
        sourcesContent: false,
        external,
        banner: t.banner ? { js: t.banner } : undefined,
        logLevel: 'silent',
        plugins: [reporter, ...(t.executable ? [chmodPlugin(path.join(root, t.out))] : [])],
      }),
    ),
  );
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  let failed = false;
  for (const c of contexts) {
    try {
      await c.rebuild();
    } catch {
      failed = true;
    }
    await c.dispose();
  }
  if (failed) process.exit(1);
  console.log(`built ${targets.map((t) => t.out).join(', ')}${production ? ' (production)' : ''}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
