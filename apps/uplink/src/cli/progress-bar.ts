/**
 * A plain progress bar on stderr, redrawn in place with '\r' (no dependency): only when stderr is a
 * terminal, so logs and pipes never fill with redraws.
 *
 *   photos/cat.jpg  12.50 MiB / 40.00 MiB  [=========>                    ]  31.25%
 */
import { formatBytes } from '@dcsim/common/size';

export class ProgressBar {
  private lastDraw = 0;
  private done = 0;
  private total?: number;
  private finished = false;
  private drawn = false;

  constructor(
    private readonly name: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total?: number): void {
    this.done = done;
    if (total !== undefined) this.total = total;
    const now = Date.now();
    if (now - this.lastDraw < 100) return; // ten redraws a second are plenty
    this.lastDraw = now;
    this.draw();
  }

  /**
   * Ends the bar: after a success its final state stays on screen; after a failure a bar that was drawn
   * gets its own line (so the error line starts clean) and one never drawn stays invisible.
   */
  finish(success = true): void {
    if (this.finished) return;
    this.finished = true;
    if (success) this.draw();
    if (this.drawn) this.stream.write('\n');
  }

  private draw(): void {
    const columns = this.stream.columns || 80;
    const counts = this.total !== undefined ? `${formatBytes(this.done, 2)} / ${formatBytes(this.total, 2)}` : formatBytes(this.done, 2);
    let bar = '';
    let percent = '';
    if (this.total !== undefined) {
      const fraction = this.total === 0 ? 1 : Math.min(1, this.done / this.total);
      const width = Math.max(10, Math.min(40, columns - this.name.length - counts.length - 16));
      const filled = Math.floor(fraction * width);
      bar = `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (filled === width ? '=' : '>') : ''}${' '.repeat(width - filled)}]`;
      percent = `${(fraction * 100).toFixed(2).padStart(6)}%`;
    }
    const line = `${this.name}  ${counts}  ${bar}  ${percent}`.slice(0, columns - 1);
    this.stream.write(`\r${line.padEnd(columns - 1)}`);
    this.drawn = true;
  }
}

/** A bar when asked for and stderr is a terminal; otherwise nothing to draw. */
export function progressBar(name: string, wanted: boolean): ProgressBar | undefined {
  return wanted && process.stderr.isTTY ? new ProgressBar(name) : undefined;
}
