/**
 * Named prepared statements on PGlite. PGlite's query() parses, analyses and plans its
 * statement at every call (an unnamed statement); for the two statements every push runs —
 * the context read and the batch write, ~100 lines of SQL each — that planning was ~3.3 ms of
 * the ~15 ms the engine spends on a push of 500 events. Here each statement text is parsed once
 * per engine (PostgreSQL's extended protocol: Parse with a name, then Bind/Execute), and
 * PostgreSQL keeps its plan (planning again by itself when a table it reads changes).
 *
 * Values are serialised and rows parsed exactly as query() does (the engine's serializers by
 * the parameter types PostgreSQL describes, its parsers by the result columns' types); like
 * query(), a statement outside a transaction is synced to the filesystem after it.
 *
 * Only for the engine's own thread of requests: PGlite's protocol calls take no lock, so
 * nothing else may run on the engine meanwhile (the database thread and the in-thread driver
 * run one request at a time).
 */
import { parse as results, protocol, type PGlite } from '@electric-sql/pglite';

const { serialize } = protocol;

interface Statement {
  name: string;
  /** the parameter types PostgreSQL inferred (oids), for the serializers */
  types: number[];
}

type BackendMessage = Awaited<ReturnType<PGlite['execProtocol']>>['messages'][number];

export class PreparedStatements {
  readonly #byText = new Map<string, Statement>();
  /** names are never reused, not even that of a statement whose preparation failed halfway */
  #named = 0;

  constructor(private readonly pg: PGlite) {}

  /** how many statements are prepared (tests) */
  get size(): number {
    return this.#byText.size;
  }

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const statement = this.#byText.get(sql) ?? (await this.#prepare(sql));
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serialize = this.pg.serializers[statement.types[i]!];
      return serialize ? serialize(value) : String(value);
    });
    const messages = await this.#untilSync(async (into) => {
      into.push(...(await this.#send(serialize.bind({ statement: statement.name, values }))));
      into.push(...(await this.#send(serialize.describe({ type: 'P' }))));
      into.push(...(await this.#send(serialize.execute({}))));
    });
    const [result] = results.parseResults(messages, this.pg.parsers);
    if (!this.pg.isInTransaction()) await this.pg.syncToFs();
    return (result?.rows ?? []) as R[];
  }

  async #prepare(sql: string): Promise<Statement> {
    const name = `relay_${++this.#named}`;
    const messages = await this.#untilSync(async (into) => {
      into.push(...(await this.#send(serialize.parse({ name, text: sql }))));
      into.push(...(await this.#send(serialize.describe({ type: 'S', name }))));
    });
    const statement: Statement = { name, types: results.parseDescribeStatementResults(messages) };
    this.#byText.set(sql, statement);
    return statement;
  }

  async #send(message: Uint8Array): Promise<BackendMessage[]> {
    return (await this.pg.execProtocol(message, { syncToFs: false })).messages;
  }

  /**
   * Run protocol messages and end with Sync, also when one fails: after an error PostgreSQL
   * skips everything up to the Sync, which ends the implicit transaction of a statement run
   * outside an explicit one (rolled back) and leaves an explicit one aborted, as query() does.
   */
  async #untilSync(run: (into: BackendMessage[]) => Promise<void>): Promise<BackendMessage[]> {
    const into: BackendMessage[] = [];
    try {
      await run(into);
    } finally {
      into.push(...(await this.#send(serialize.sync())));
    }
    return into;
  }
}
