/** Multi-row INSERTs in chunks that stay well below PostgreSQL's 65535 parameters. */
import { valuesRows, type Queryable } from '../db/database';

const MAX_PARAMS = 8000;

export async function insertRows(
  tx: Queryable,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
  suffix = '',
): Promise<void> {
  const per = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    await tx.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${valuesRows(chunk.length, columns.length)} ${suffix}`,
      chunk.flat(),
    );
  }
}
