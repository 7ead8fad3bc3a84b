/** What a command is given besides its arguments: the files it names, read by the CLI, and stdin. */
export interface AdminInput {
  files: Record<string, string>;
  stdin: string;
}

/** What a command prints and how it exits; the same whether it ran in the CLI or inside the bot. */
export interface AdminResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Files the command made (a report's CSV or HTML), by path: the CLI writes them where it runs, never the bot. */
  files?: Record<string, string>;
}

/** How far a long command (a paced campaign) has got: shown as a progress bar on a terminal. */
export interface AdminProgress {
  done: number;
  total: number;
  startedAt: number;
  now: number;
  /** The pace asked for, if any (it bounds the time left). */
  perMinute?: number;
}

/** What a long command may use while it runs: report its progress, and stop early when asked (Ctrl+C). */
export interface AdminLive {
  onProgress?: (progress: AdminProgress) => void;
  signal?: AbortSignal;
}

export interface AdminRequest {
  argv: string[];
  input: AdminInput;
}

export const EXIT_OK = 0;
/** Some rows rejected, PIN does not match, nothing found. */
export const EXIT_REFUSED = 1;
/** Usage error, unreadable file, store or configuration problem. */
export const EXIT_USAGE = 2;

/** Collects a command's output lines. */
export class Output {
  private readonly out: string[] = [];
  private readonly err: string[] = [];
  private readonly files: Record<string, string> = {};

  say(line: string): this {
    this.out.push(line);
    return this;
  }

  warn(line: string): this {
    this.err.push(line);
    return this;
  }

  /** A file for the CLI to write (see AdminResult.files). */
  file(path: string, text: string): this {
    this.files[path] = text;
    return this;
  }

  done(exitCode: number): AdminResult {
    const text = (lines: string[]) => (lines.length ? `${lines.join('\n')}\n` : '');
    const files = Object.keys(this.files).length > 0 ? { files: this.files } : {};
    return { stdout: text(this.out), stderr: text(this.err), exitCode, ...files };
  }
}

export function failure(message: string, exitCode = EXIT_USAGE): AdminResult {
  return new Output().warn(message).done(exitCode);
}
