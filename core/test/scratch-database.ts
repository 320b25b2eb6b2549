import { randomUUID } from 'node:crypto';
import pg from 'pg';

const BASE = process.env.KIPPER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of its own for one test file: `url` (created by the first openDatabase), dropped by `drop`. */
export function scratchDatabase(prefix: string): { name: string; url: string; drop: () => Promise<void> } {
  const name = `${prefix}_${randomUUID().slice(0, 8)}`;
  const url = Object.assign(new URL(BASE), { pathname: `/${name}` }).toString();
  const drop = async () => {
    const admin = new pg.Client({ connectionString: BASE });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };
  return { name, url, drop };
}
