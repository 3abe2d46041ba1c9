// Every `steward <name>` subcommand is one file in src/cli/ exporting a `CliCommand`, registered by
// one line in src/cli/index.ts.

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout is a terminal (progress bars, colours). */
  isTTY: boolean;
  /** stderr is a terminal: spinners while waiting go there. */
  stderrIsTTY?: boolean;
  /**
   * Steward's own terminal control on stderr (the spinner's "\r" and erase-line). `main()` passes
   * stdout and stderr through `terminalSafe`; only this channel is written raw.
   */
  control?: (text: string) => void;
}

export interface CliCommand {
  name: string;
  /** One line for `steward --help`. */
  summary: string;
  /** Full usage text printed by `steward <name> --help`. */
  usage: string;
  /** Set by commands with subcommands, which print each subcommand's own `--help`. */
  handlesHelp?: boolean;
  /** Returns the process exit code. Throw `CliUsageError` for bad arguments. */
  run(argv: string[], io: CliIO): Promise<number>;
}

export class CliUsageError extends Error {}
