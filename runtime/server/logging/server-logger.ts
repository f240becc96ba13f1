/**
 * Structured logs: one JSON object per line on stderr (what log collectors in Kubernetes expect).
 * Fields are data; nothing here ever logs a frame payload or a credential.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ServerLogger {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON-lines logger writing to a stream (stderr by default), dropping levels below `minLevel`. */
export class JsonLineLogger implements ServerLogger {
  constructor(
    private readonly minLevel: LogLevel = 'info',
    private readonly stream: NodeJS.WritableStream = process.stderr,
  ) {}

  log(level: LogLevel, message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[this.minLevel]) return;
    this.stream.write(JSON.stringify({ time: new Date().toISOString(), level, component: 'rspp-runtime-server', message, ...fields }) + '\n');
  }
}

/** Discards everything (tests, benches). */
export const silentLogger: ServerLogger = { log: () => undefined };
