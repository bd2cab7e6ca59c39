import { build } from 'esbuild';
import { join } from 'node:path';
import { lambdaBundling } from '../infra/bundling.ts';
const name = process.argv[2];
const result = await build({
  ...lambdaBundling.esbuild,
  entryPoints: [join('functions', name, 'handler.ts')],
  outfile: `/tmp/meta-${name}.mjs`,
  metafile: true,
  logLevel: 'silent',
});
const inputs = result.metafile.outputs[`/tmp/meta-${name}.mjs`.replace(/^\//, '')] ?? Object.values(result.metafile.outputs)[0];
const byPackage = new Map<string, number>();
for (const [path, info] of Object.entries(inputs.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  const key = m ? m[1] : path.split('/').slice(0, 2).join('/');
  byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
}
const total = [...byPackage.values()].reduce((a, b) => a + b, 0);
console.log(name, Math.round(total / 1024), 'KB');
for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 18)) console.log(String(Math.round(v / 1024)).padStart(6), k);
