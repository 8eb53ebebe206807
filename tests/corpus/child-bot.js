/* eslint-disable */
/**
 * The bot of the corpus (startCorpusBot: the production composition root, the fake connector,
 * the demo organisation) in a process of its own, for corpus cases that crash a process
 * (`"isolate": "process"`): run in jest's process they would take the test runner down with
 * the bot. TypeScript is compiled on the fly (transpile only; `npm test` type-checks it).
 *
 * Usage: AZURITE_URL=http://127.0.0.1:<port> node tests/corpus/child-bot.js
 * Prints `READY <bot url> <fake connector url>` once it serves, then runs until it is killed
 * (or crashes).
 */
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      resolveJsonModule: true,
    },
  });
  module._compile(outputText, filename);
};

process.env.NODE_ENV = 'test';
const { startCorpusBot } = require('./harness.ts');

startCorpusBot({ azurite: { location: { kind: 'azurite', url: process.env.AZURITE_URL } } }).then(
  (t) => process.stdout.write(`READY ${t.bot.url} ${t.connector.url}\n`),
  (err) => {
    process.stderr.write(`child bot failed to start: ${err && err.stack}\n`);
    process.exit(2);
  },
);
