/**
 * What a rule's fix sees of one site (`FixContext`), built in one place for
 * the fix engine and the ESLint plugin's suggestions: the file's layout
 * (line ending, semicolons, indent unit), whether its process reports its
 * outcome by its exit status, a name for the caught value, task names, and
 * the failure handler (see `./channel.ts`).
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import type { FixContext } from "../rule.ts";
import type { LocatedSite } from "../scan.ts";
import { indentUnit } from "./block.ts";
import { type ConfiguredChannel, failureHandler } from "./channel.ts";
import { exitStatusProcess } from "./file-role.ts";
import type { TaskNamer } from "./name.ts";
import { codeStyle } from "./style.ts";

/** What a file gives every site's context: its layout and its exit-status process name. */
export interface FileLayout {
  newline: string;
  semicolons: boolean;
  indent: string;
  exitProcess: string | undefined;
}

/**
 * The layout of a file (see {@link FileLayout}).
 *
 * @param sourceFile the parsed file.
 */
export function fileLayout(sourceFile: ts.SourceFile): FileLayout {
  const text = sourceFile.text;
  return {
    newline: text.includes("\r\n") ? "\r\n" : "\n",
    semicolons: codeStyle(sourceFile).semicolons,
    indent: indentUnit(text),
    exitProcess: exitStatusProcess(sourceFile),
  };
}

/** Where the site's failure may go: the `fix.errorChannel` setting reduced to a search switch and a fallback. */
export interface ChannelChoice {
  setting: "auto" | "shim";
  configured: ConfiguredChannel | undefined;
}

/**
 * The context a rule's fix gets for one site.
 *
 * @param located the site and its nodes.
 * @param checker the program's type checker.
 * @param layout the file's layout ({@link fileLayout}).
 * @param namer the file's task namer.
 * @param channel the error channel setting.
 */
export function fixContext(
  located: LocatedSite,
  checker: ts.TypeChecker,
  layout: FileLayout,
  namer: TaskNamer,
  channel: ChannelChoice,
): FixContext {
  const { site, node, work } = located;
  const sourceFile = node.getSourceFile();
  return {
    checker,
    sourceFile,
    node,
    work,
    group: site.group,
    kind: site.kind,
    signals: site.signals,
    newline: layout.newline,
    semicolons: layout.semicolons,
    indent: layout.indent,
    errorName: freeName(node, checker),
    exitStatus: layout.exitProcess !== undefined,
    taskName: (what) => namer.nameFor(node, what),
    handler: (what) =>
      failureHandler(node, () => namer.nameFor(node, what), {
        checker,
        sourceFile,
        kind: site.kind,
        setting: channel.setting,
        configured: channel.configured,
        exitProcess: layout.exitProcess,
        semicolons: layout.semicolons,
      }),
  };
}

/** A name for the caught value that no enclosing scope already binds at `node` (so it shadows nothing). */
function freeName(node: ts.Node, checker: ts.TypeChecker): string {
  return ["error", "err", "failure", "caught"].find((name) =>
    checker.resolveName(name, node, ts.SymbolFlags.Value, false) === undefined
  ) ?? "error";
}
