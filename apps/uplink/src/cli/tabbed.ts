/**
 * Column output like Storj's uplink (Go's text/tabwriter with minwidth 4, padding 4, spaces): each column as
 * wide as its widest cell plus 4, the last column left ragged. Lines are flushed in blocks of 1,000 so a long
 * listing streams.
 */
export class TabbedWriter {
  private rows: string[][] = [];
  private wroteHeader = false;

  constructor(
    private readonly headers: string[],
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  line(...cells: (string | number | undefined)[]): void {
    if (!this.wroteHeader) {
      if (this.headers.length > 0) this.rows.push(this.headers);
      this.wroteHeader = true;
    }
    this.rows.push(cells.map((c) => (c === undefined ? '' : String(c))));
    if (this.rows.length >= 1000) this.flush();
  }

  /** Writes what is buffered; nothing at all (not even the header) if no line was added. */
  done(): void {
    this.flush();
  }

  private flush(): void {
    if (this.rows.length === 0) return;
    this.write(formatColumns(this.rows));
    this.rows = [];
  }
}

const MIN_WIDTH = 4;
const PADDING = 4;

export function formatColumns(rows: string[][]): string {
  const width = (s: string) => [...s].length;
  const columns = Math.max(...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < columns - 1; c++) {
    widths[c] = Math.max(MIN_WIDTH, ...rows.filter((r) => c < r.length - 1).map((r) => width(r[c]) + PADDING));
  }
  return rows
    .map((row) => row.map((cell, c) => (c < row.length - 1 ? cell + ' '.repeat(widths[c] - width(cell)) : cell)).join(''))
    .map((line) => `${line}\n`)
    .join('');
}
