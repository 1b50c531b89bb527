// node validate-asyncapi.mjs FILE: parses FILE with the AsyncAPI initiative's own parser (its JSON Schema of the
// specification and its rules), then checks every message example against its payload schema (the parser does
// not). Prints each problem as "severity path: message"; exits 1 on any error or warning.
import { readFile } from 'node:fs/promises';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const text = await readFile(process.argv[2], 'utf8');
const { document, diagnostics } = await new Parser().parse(text);
const names = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning', [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint' };
let problems = 0;
for (const d of diagnostics) {
  console.log(`${names[d.severity]} ${d.path.join('.')}: ${d.message}`);
  if (d.severity <= DiagnosticSeverity.Warning) problems++;
}
if (!document) {
  console.log('not parsed');
  process.exit(1);
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const raw = JSON.parse(text);
for (const [name, message] of Object.entries(raw.components?.messages ?? {})) {
  const validate = ajv.compile(message.payload ?? {});
  for (const [i, example] of (message.examples ?? []).entries()) {
    if (validate(example.payload)) continue;
    problems++;
    for (const e of validate.errors) console.log(`error components.messages.${name}.examples.${i}.payload${e.instancePath}: ${e.message}`);
  }
}
console.log(`parsed AsyncAPI ${document.version()}: ${problems} errors or warnings`);
process.exit(problems === 0 ? 0 : 1);
