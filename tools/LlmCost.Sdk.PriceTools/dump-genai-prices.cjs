// Dumps the price data carried by the npm package @pydantic/genai-prices (MIT) as JSON, for the providers the SDK
// tracks. Usage (from this folder):
//   npm pack @pydantic/genai-prices@0.1.8 && tar xzf pydantic-genai-prices-0.1.8.tgz
//   node dump-genai-prices.cjs package 2026-09-23 > inputs/genai-prices-0.1.8.json
// The second argument is the package's publication date (`npm view @pydantic/genai-prices time`).
'use strict';
const path = require('path');
const fs = require('fs');
const dir = path.resolve(process.argv[2] || 'package');
const published = process.argv[3];
if (!/^\d{4}-\d{2}-\d{2}$/.test(published || '')) {
  console.error('usage: node dump-genai-prices.cjs <package-dir> <published yyyy-mm-dd>');
  process.exit(2);
}
const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
const prices = require(path.join(dir, 'dist', 'index.cjs'));
const ids = ['anthropic', 'aws', 'azure', 'deepseek', 'google', 'groq', 'mistral', 'openai', 'x-ai'];
const providers = ids.map((id) => {
  const provider = prices.findProvider({ providerId: id });
  if (!provider || provider.id !== id) throw new Error(`provider ${id} is not in ${pkg.name} ${pkg.version}`);
  return provider;
});
const license = fs.readFileSync(path.join(dir, 'LICENSE'), 'utf8');
process.stdout.write(JSON.stringify({
  package: pkg.name,
  version: pkg.version,
  published,
  repository: 'https://github.com/pydantic/genai-prices',
  license: 'MIT',
  licenseText: license,
  providers,
}, null, 1) + '\n');
