/**
 * The contract between the rule driver (`src/scan.ts`) and the rule modules in
 * `rules/`: what a rule declares about itself and what it returns for a node.
 *
 * @module
 */
import type { ts } from "ts-morph";
import type { Kind, Resolution, Signal } from "./site.ts";

/** What a rule may ask while it checks a node: the checker and the program it came from. */
export interface RuleContext {
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly sourceFile: ts.SourceFile;
}

/**
 * A spawn site as one rule sees it, before the driver adds ignore and
 * supervision status and the classifier adds a group.
 *
 * - `node`: the expression reported (its range is the site's range).
 * - `work`: the function whose body runs as background work (a timer
 *   callback, a listener, an IIFE), when there is one in the source.
 * - `status`: set when the rule itself sees the failure observed (`handled`)
 *   or impossible (`benign`), with `statusReason` saying how.
 * - `signals`: group evidence the rule contributes (e.g. `interval-timer`).
 */
export interface Detection {
  kind: Kind;
  node: ts.Node;
  callee: string | null;
  resolution: Resolution;
  work?: ts.Node;
  status?: "handled" | "benign";
  statusReason?: string;
  signals: Signal[];
}

/**
 * One rule module: a self-contained detector for one family of kinds.
 *
 * `visits` lists the syntax kinds the driver should hand to `check`; `check`
 * returns a detection or `undefined` and must not throw for any input the
 * TypeScript parser accepts. `messages` gives, per kind, the finding text:
 * what is wrong and what to do.
 */
export interface Rule {
  readonly id: string;
  readonly description: string;
  readonly kinds: readonly Kind[];
  readonly messages: Readonly<Partial<Record<Kind, string>>>;
  readonly visits: readonly ts.SyntaxKind[];
  check(node: ts.Node, context: RuleContext): Detection | undefined;
}
