/**
 * Command-line parsing with commander (the argument parser most CLIs on
 * npm use): commands with their own options and help (`scan --help`), help
 * wrapped to 80 columns, "did you mean" for a mistyped command or option,
 * and errors as one line. The commands and options are declared as data
 * ({@link ProgramSpec}); commander stays behind this module.
 *
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { UsageError } from "./errors.ts";
import { closest } from "./suggest.ts";

/**
 * One option. `flags` as in help: `--name`, `--name <value>`, `-o, --name
 * <value>`, `--no-name` (a negation: `name` is false when given, true
 * otherwise; declared after `--name`, `name` is undefined unless one is
 * given), or `--name[=value]`: a value only as `--name=value`, a bare
 * `--name` giving the empty string, so the next argument stays an operand
 * (`--changed src` is `--changed` and the path `src`). A `repeatable`
 * option collects its values in an array. A `valueRefused` flag is shown
 * as `--name` but parsed as `--name[=value]`, so the command can say that
 * `--name=value` takes no value (true is then the empty string).
 */
export interface OptionSpec {
  flags: string;
  description: string;
  repeatable?: boolean;
  valueRefused?: boolean;
}

/**
 * A command: its name, its operands as in help (`[paths...]`), a one-line
 * summary, more help after its options (paragraphs separated by a blank
 * line, wrapped to the help's width), its options.
 */
export interface CommandSpec {
  name: string;
  operands: string;
  summary: string;
  helpAfter?: string;
  options: readonly OptionSpec[];
}

/** The whole command line: the program's name and version line, its own options, its commands, help after the command list (as {@link CommandSpec}'s). */
export interface ProgramSpec {
  name: string;
  version: string;
  options: readonly OptionSpec[];
  commands: readonly CommandSpec[];
  helpAfter: string;
}

/**
 * What the command line asks for: a command with its operands and option
 * values (by long name, without dashes: `fail-on`, `ignore` for
 * `--no-ignore`), or none (`command` undefined: the program's own options,
 * e.g. `--print-config`, in `values`; `usage` is the help to show when
 * they ask for nothing); or `printed`, the exit code after help or the
 * version was written to `out`.
 */
export type ParsedArgs =
  | { command: string | undefined; operands: string[]; values: Record<string, unknown>; usage: string }
  | { printed: number };

/** Where help, the version and the usage go. */
export interface ParseOutput {
  out: (text: string) => void;
}

/** Help lines are wrapped to this many columns (the terminal width of the convention, whatever the terminal). */
const HELP_WIDTH = 80;

/**
 * Parses `argv` (without the runtime and script) against `spec`.
 *
 * @param argv the arguments.
 * @param spec the commands and options.
 * @param output where `--help`, `<command> --help` and `--version` write.
 * @throws {UsageError} for an unknown command or option (with the nearest
 *   known one when there is a close one), an option of another command, a
 *   missing option value or operand, or operands in excess: one line.
 */
export function parseCommandLine(argv: readonly string[], spec: ProgramSpec, output: ParseOutput): ParsedArgs {
  let chosen: { command: string; operands: string[]; values: Record<string, unknown> } | undefined;
  let usage = "";
  const program = new Command(spec.name)
    .version(spec.version, "-v, --version", "show the version")
    .helpOption("-h, --help", "show this help")
    .helpCommand(false)
    // The program's options only before the command: after it, `-c` is the command's.
    .enablePositionalOptions()
    .exitOverride()
    .configureHelp({ helpWidth: HELP_WIDTH })
    .configureOutput({
      writeOut: output.out,
      // Only the usage shown for a command line without a command goes here; errors are thrown as one line.
      writeErr: (text) => (usage += text),
      outputError: () => {},
    })
    .addHelpText("after", wrapped(spec.helpAfter));
  addOptions(program, spec.options);
  for (const command of spec.commands) {
    const own = program.command(command.name)
      .summary(command.summary)
      .description(command.summary)
      .arguments(command.operands)
      .helpOption("-h, --help", "show this help")
      .action((...args: unknown[]) => {
        const self = args.at(-1) as Command;
        chosen = { command: command.name, operands: self.args, values: valuesOf(self, command.options) };
      });
    if (command.helpAfter !== undefined) own.addHelpText("after", wrapped(command.helpAfter));
    addOptions(own, command.options);
  }
  const commandName = firstCommand(argv, spec);
  try {
    program.parse(withBareValues(argv, spec, commandName), { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
      return { printed: error.exitCode };
    }
    if (error.code === "commander.help") {
      return { command: undefined, operands: [], values: valuesOf(program, spec.options), usage };
    }
    throw new UsageError(oneLine(error, spec, commandName));
  }
  return chosen === undefined
    ? { command: undefined, operands: [], values: valuesOf(program, spec.options), usage }
    : { ...chosen, usage };
}

/** An option's flags as the parser takes them: `--name[=value]` (and a `valueRefused` flag) is an option with an optional value, `--name [value]`. */
function parserFlags(spec: OptionSpec): string {
  return spec.valueRefused === true ? `${spec.flags} [value]` : spec.flags.replace(/\[=([^\]]+)\]$/, " [$1]");
}

/** Whether the option takes a value only as `--name=value` (see {@link OptionSpec}). */
function valueAttachedOnly(spec: OptionSpec): boolean {
  return spec.valueRefused === true || spec.flags.includes("[=");
}

/** `text`'s paragraphs with their lines filled to {@link HELP_WIDTH} columns, after a blank line. */
function wrapped(text: string): string {
  const fill = (paragraph: string): string =>
    paragraph.split(/\s+/).reduce((lines, word) => {
      const last = lines.at(-1)!;
      if (last === "") lines[lines.length - 1] = word;
      else if (last.length + 1 + word.length <= HELP_WIDTH) lines[lines.length - 1] = `${last} ${word}`;
      else lines.push(word);
      return lines;
    }, [""]).join("\n");
  return `\n${text.split("\n\n").map(fill).join("\n\n")}`;
}

/** Declares `options` on `command`. */
function addOptions(command: Command, options: readonly OptionSpec[]): void {
  for (const spec of options) {
    const option = new Option(parserFlags(spec), spec.description);
    // Help shows the flags as declared (`--changed[=ref]`).
    option.flags = spec.flags;
    if (spec.repeatable === true) {
      option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    }
    command.addOption(option);
  }
}

/** The values `command` parsed for `options`, keyed by long name without dashes (`--no-ignore` → `ignore`). */
function valuesOf(command: Command, options: readonly OptionSpec[]): Record<string, unknown> {
  const parsed = command.opts();
  const values: Record<string, unknown> = {};
  for (const spec of options) {
    const option = new Option(parserFlags(spec));
    const name = option.negate ? option.long!.slice("--no-".length) : option.long!.slice("--".length);
    values[name] = parsed[option.attributeName()];
  }
  return values;
}

/** The command `argv` names: its first argument that is a command's name, before any `--`. */
function firstCommand(argv: readonly string[], spec: ProgramSpec): CommandSpec | undefined {
  const end = argv.indexOf("--");
  const names = end === -1 ? argv : argv.slice(0, end);
  return spec.commands.find((command) =>
    command.name === names.find((arg) => spec.commands.some((c) => c.name === arg))
  );
}

/**
 * `argv` with each bare `--name` of a `--name[=value]` or `valueRefused`
 * option of the command written `--name=`, so the parser does not take the next argument
 * as its value.
 */
function withBareValues(argv: readonly string[], spec: ProgramSpec, command: CommandSpec | undefined): string[] {
  const bare = new Set(
    [...spec.options, ...(command?.options ?? [])].filter(valueAttachedOnly).map((option) =>
      new Option(parserFlags(option)).long!
    ),
  );
  const end = argv.indexOf("--");
  return argv.map((arg, index) => (bare.has(arg) && (end === -1 || index < end) ? `${arg}=` : arg));
}

/**
 * The parser's error as one line without its `error: ` prefix; "did you
 * mean" joined to it. An unknown option that another command has says so
 * (`--write is an option of fix, not of scan`).
 */
function oneLine(error: CommanderError, spec: ProgramSpec, command: CommandSpec | undefined): string {
  if (error.code === "commander.unknownOption") {
    const flag = /'([^']+)'/.exec(error.message)?.[1]?.split("=")[0];
    const owner = spec.commands.find((other) =>
      other !== command && other.options.some((option) => {
        const { short, long } = new Option(parserFlags(option));
        return flag === short || flag === long;
      })
    );
    if (flag !== undefined && owner !== undefined) {
      return `${flag} is an option of ${owner.name}, not of ${command?.name ?? spec.name}`;
    }
  }
  return error.message.replace(/^error: /, "").replace(/\n\(Did you mean (.+)\?\)$/, " (did you mean $1?)")
    .replace(/\n/g, " ");
}

/**
 * Whether the boolean flag `--name` is among `argv`'s options (before a
 * `--` that ends them), whatever else `argv` holds: for what must be known
 * even when the rest does not parse (`--debug`).
 *
 * @param argv arguments without the runtime and script.
 * @param name the flag's long name, without dashes.
 */
export function flagGiven(argv: readonly string[], name: string): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes(`--${name}`);
}

/**
 * Reads a string option that must be one of `allowed`.
 *
 * @throws {UsageError} naming the option, the allowed values and the one
 *   meant when the value is a near miss (`--format jsn`: json).
 */
export function choice<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  const guess = closest(String(value), allowed);
  throw new UsageError(
    `--${name} must be one of ${allowed.join(", ")} (got "${String(value)}"${
      guess === undefined ? "" : `; did you mean ${guess}?`
    })`,
  );
}
