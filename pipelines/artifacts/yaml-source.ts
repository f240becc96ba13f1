/**
 * A parsed YAML artifact that remembers where each value came from, so every problem can name the
 * line it is about. Paths are arrays of keys/indices into the parsed value (`['edges', 2, 'from']`).
 */
import * as fs from 'fs';
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

export type ValuePath = ReadonlyArray<string | number>;

export interface YamlSourceError {
  readonly line: number;
  readonly message: string;
}

export class YamlSource {
  static readFile(absPath: string): YamlSource {
    return YamlSource.parse(fs.readFileSync(absPath, 'utf8'));
  }

  static parse(text: string): YamlSource {
    const lineCounter = new LineCounter();
    // uniqueKeys: a duplicated key is an error, not a silent last-one-wins.
    const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
    return new YamlSource(text, document, lineCounter);
  }

  /** Syntax errors (the value is unusable when there is any). */
  readonly errors: readonly YamlSourceError[];
  /** The parsed value (plain JSON data). `undefined` when the file has errors. */
  readonly value: unknown;

  private constructor(
    readonly text: string,
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
  ) {
    this.errors = document.errors.map((e) => ({
      line: e.linePos?.[0]?.line ?? this.lineCounter.linePos(e.pos[0]).line,
      message: e.message.split('\n')[0],
    }));
    this.value = this.errors.length === 0 ? document.toJS({ maxAliasCount: 100 }) : undefined;
  }

  /**
   * The 1-based line of the value at `path`. For a path that does not exist (a missing field), the
   * line of the deepest existing ancestor: the object the field should have been added to.
   */
  lineOf(path: ValuePath): number {
    let node: unknown = this.document.contents;
    let line = node ? this.lineAt(node as Node) : 1;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === key);
        if (!pair) return line;
        // A key's line is where a reader looks for it, even when its value starts on the next line.
        line = isScalar(pair.key) && pair.key.range ? this.lineCounter.linePos(pair.key.range[0]).line : line;
        node = pair.value;
        if (!node) return line;
        if (!isMap(node) && !isSeq(node)) line = this.lineAt(node as Node) ?? line;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key];
        if (!item) return line;
        node = item;
        line = this.lineAt(item as Node) ?? line;
      } else {
        return line;
      }
    }
    return line;
  }

  private lineAt(node: Node): number {
    return node.range ? this.lineCounter.linePos(node.range[0]).line : 1;
  }
}

/** `['edges', 2, 'from']` → `edges[2].from` (the form used in problem reports). */
export function formatPath(path: ValuePath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? key : `.${key}`;
  }
  return out === '' ? '(document)' : out;
}
