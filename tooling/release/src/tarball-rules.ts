import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Top-level files a package may ship besides `dist/**`, `package.json`, `README.md`, `LICENSE`. */
const EXTRA_DOCS: Readonly<Record<string, readonly string[]>> = {
  '@sse/core': ['WIRE.md'],
};

const ALWAYS = new Set(['package.json', 'README.md', 'LICENSE']);

// Names that must never be published, wherever they sit.
const SECRET_NAME =
  /(^|\/)(\.env(\..*)?|\.npmrc|\.yarnrc(\.yml)?|id_rsa.*|.*\.(pem|key|p12|pfx|crt)|\.git(\/.*)?)$/i;
// Files that mean tests or sources were packed.
const NOT_SHIPPABLE =
  /(^|\/)(test|tests|__tests__|__mocks__|src)\/|\.(test|spec)\.[cm]?[jt]sx?$|(?<!\.d)\.[cm]?tsx?$|\.tsbuildinfo$/;
// Credentials by shape: npm and GitHub tokens, private keys, AWS key ids, npmrc auth lines.
const SECRET_CONTENT = [
  /_authToken\s*=/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bnpm_[A-Za-z0-9]{36}\b/,
  /\bgh[pousr]_[A-Za-z0-9]{36}\b/,
  /\bAKIA[0-9A-Z]{16}\b/,
];

/**
 * Every file below a directory, as `/`-separated relative paths, sorted.
 *
 * @param dir - An unpacked package.
 * @returns Relative file paths.
 */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (current: string, prefix: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(current, entry.name), rel);
      else files.push(rel);
    }
  };
  walk(dir, '');
  return files.sort();
}

/** Every `./…` path an exports map (or main/module/types) points at. */
function exportTargets(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.startsWith('./')) out.push(value.slice(2));
  } else if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) exportTargets(inner, out);
  }
  return out;
}

/**
 * What is wrong with an unpacked package tarball, if anything: files outside the allow-list,
 * tests or sources, secrets by name or content, source maps pointing outside the package,
 * `sourceMappingURL`s to files not shipped, entry points that are missing, and `workspace:`
 * ranges left in the manifest.
 *
 * @param name - The package name.
 * @param dir - Where the tarball's `package/` folder was unpacked.
 * @param knownSecrets - Literal strings that must appear nowhere (e.g. this run's token).
 * @returns One line per problem; empty when the package is clean.
 */
export function tarballProblems(
  name: string,
  dir: string,
  knownSecrets: readonly string[],
): string[] {
  const problems: string[] = [];
  const files = listFiles(dir);
  const shipped = new Set(files);
  const extra = new Set(EXTRA_DOCS[name] ?? []);
  for (const file of files) {
    if (!file.startsWith('dist/') && !ALWAYS.has(file) && !extra.has(file)) {
      problems.push(`${file}: not dist/**, package.json, README.md, LICENSE or an allowed doc`);
    }
    if (SECRET_NAME.test(file)) problems.push(`${file}: a secret-bearing file name`);
    if (NOT_SHIPPABLE.test(file)) problems.push(`${file}: a test or source file`);
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const pattern of SECRET_CONTENT) {
      if (pattern.test(text)) problems.push(`${file}: content matches ${pattern}`);
    }
    for (const secret of knownSecrets) {
      if (secret && text.includes(secret)) problems.push(`${file}: contains this run's token`);
    }
    if (file.endsWith('.map')) problems.push(...sourceMapProblems(file, text));
    const mapUrl = /\/[/*][#@] sourceMappingURL=(\S+?)(\s*\*\/)?\s*$/m.exec(text)?.[1];
    if (mapUrl && !mapUrl.startsWith('data:')) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), mapUrl));
      if (!shipped.has(target)) problems.push(`${file}: sourceMappingURL ${mapUrl} is not shipped`);
    }
  }
  const manifestText = readFileSync(path.join(dir, 'package.json'), 'utf8');
  if (manifestText.includes('workspace:')) problems.push('package.json: a workspace: range');
  const manifest = JSON.parse(manifestText) as Record<string, unknown>;
  for (const target of exportTargets([
    manifest.exports,
    manifest.main,
    manifest.module,
    manifest.types,
  ])) {
    if (!target.includes('*') && !shipped.has(target)) {
      problems.push(`package.json points at ./${target}, which is not in the tarball`);
    }
  }
  return problems;
}

/** A source map may only name sources inside the package (or embed them). */
function sourceMapProblems(file: string, text: string): string[] {
  let map: { sources?: unknown; sourceRoot?: unknown; sourcesContent?: unknown };
  try {
    map = JSON.parse(text) as typeof map;
  } catch {
    return [`${file}: not a valid source map`];
  }
  const root = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
  const sources = Array.isArray(map.sources) ? (map.sources as unknown[]) : [];
  const problems: string[] = [];
  for (const source of sources) {
    if (typeof source !== 'string') continue;
    const joined = path.posix.normalize(
      path.posix.join(path.posix.dirname(file), root, source.replace(/^[a-z]+:\/\//i, '/')),
    );
    if (joined.startsWith('..') || path.posix.isAbsolute(joined)) {
      problems.push(`${file}: source ${source} points outside the package`);
    }
  }
  return problems;
}
