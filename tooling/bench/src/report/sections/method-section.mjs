// The report's opening section: how the numbers were measured, and on what machine.
import { formatOne } from '../format.mjs';
import { usable } from '../result-rows.mjs';

/** @typedef {import('../results-schema.mjs').BenchMeta} BenchMeta */

/**
 * The method paragraph, the machine and command of the run, and a warning on smoke runs.
 * @param {Partial<BenchMeta> & { peerRounds?: number }} [meta] the run's `meta`; what is
 *   missing is left out of the text.
 * @returns {string} markdown, without a heading of its own.
 */
export function methodSection(meta = {}) {
  const facts = [
    meta.date ? `run ${meta.date}` : '',
    meta.node ? `Node ${meta.node}` : '',
    usable(meta.cpus) ? `${meta.cpus} × ${meta.cpuModel ?? 'CPU'}` : (meta.cpuModel ?? ''),
    usable(meta.totalMemGiB) ? `${formatOne(meta.totalMemGiB)} GiB RAM` : '',
  ].filter(Boolean);
  const lines = [
    'Server and load generator run as separate Node processes and talk over 127.0.0.1. The load ' +
      'generator reads raw sockets (no HTTP client or SSE parser in the measured path) and counts ' +
      'frames; every connection is established and registered by the server before timing ' +
      'starts. The systems are measured in alternating runs (A B A B …) and each number is the ' +
      `median over ${usable(meta.rounds) ? `${meta.rounds} round${meta.rounds === 1 ? '' : 's'}` : 'the rounds'}` +
      (usable(meta.peerRounds) && meta.peerRounds < meta.rounds
        ? ` (${meta.peerRounds} for the peers better-sse, express-sse and socket.io, which sit far from every goal)`
        : '') +
      '; ' +
      'every comparison is a ratio between systems measured in the same run, never against a ' +
      'number from another session. The floors are plain `node:http` loops that write one ' +
      'pre-encoded buffer per frame to every socket (`floor-frame`) or one buffer per socket per ' +
      'burst (`floor-coalesced`).',
    '',
    `Machine and run: ${facts.join(', ') || 'not recorded'}.` +
      (meta.command ? ` Command: \`${meta.command}\`.` : ''),
  ];
  if (meta.smoke)
    lines.push(
      '',
      '> **Smoke run**: tiny sizes and short runs that only prove the harness works; the numbers ' +
        'below are not meaningful.',
    );
  return lines.join('\n');
}
