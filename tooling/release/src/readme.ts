import { specName } from './combinations.js';

/** The first install command of a README. */
export interface InstallLine {
  /** The line as written, e.g. `npm i @sse/core @sse/express express`. */
  readonly text: string;
  /** The package names it installs (version suffixes removed). */
  readonly packages: readonly string[];
}

/**
 * Finds the first `npm i`/`npm install` line inside a ```sh (or bash/shell) block.
 *
 * @param readme - README text.
 * @returns The line and its package names, or `undefined` when there is none.
 */
export function installLine(readme: string): InstallLine | undefined {
  const blocks = readme.matchAll(/```(?:sh|bash|shell|console)\n([\s\S]*?)```/g);
  for (const [, body] of blocks) {
    for (const raw of (body ?? '').split('\n')) {
      const text = raw.replace(/^\$\s*/, '').trim();
      const match = /^npm (?:i|install|add)\s+(.+)$/.exec(text);
      if (!match) continue;
      const packages = match[1]!
        .split(/\s+/)
        .filter((arg) => !arg.startsWith('-'))
        .map(specName);
      return { text, packages };
    }
  }
  return undefined;
}
