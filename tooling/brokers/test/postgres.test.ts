import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type PrivatePostgres, startPrivatePostgres } from '../src/index.js';
import { runToEnd } from '../src/run-to-end.js';
import { alive, refused } from './probes.js';

const PSQL = path.join(process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin', 'psql');
let pg: PrivatePostgres | undefined;
afterAll(async () => {
  await pg?.dispose();
});

/** Runs one statement through psql over TCP (trust auth), returning the bare result. */
const sql = (server: PrivatePostgres, statement: string): Promise<string> =>
  runToEnd('psql', PSQL, ['-X', '-At', '-d', server.url, '-c', statement], {
    installHint: 'apt-get install postgresql-client-15',
    timeoutMs: 10_000,
  }).then((out) => out.trim());

describe('startPrivatePostgres', () => {
  it('serves SQL on 127.0.0.1 and a free port; recovers committed rows after kill -9 of the postmaster', async () => {
    pg = await startPrivatePostgres();
    expect(pg.port).not.toBe(5432);
    expect(pg.url).toBe(`postgres://postgres@127.0.0.1:${pg.port}/postgres`);
    expect(await sql(pg, 'show listen_addresses')).toBe('127.0.0.1');
    await sql(pg, 'create table kept (n int); insert into kept values (1), (2)');
    const pid = pg.pid!;
    await pg.kill();
    expect(alive(pid)).toBe(false);
    expect(await refused(pg.port)).toBe(true);
    await pg.start();
    expect(await sql(pg, 'select sum(n) from kept')).toBe('3');
    await pg.restart();
    expect(await sql(pg, 'select count(*) from kept')).toBe('2');
    await pg.dispose();
    expect(existsSync(pg.dir)).toBe(false);
  });
});
