/**
 * Where a rewritten site's failure goes: the project's own error channel
 * where the code around the site already has one, else a function the
 * config names, else the shim's logger (`logFailure`). Looked for, nearest
 * first:
 *
 * 0. the `reject` of the `new Promise` executor the site's work settles
 *    (see `./executor.ts`): the failure reaches whoever awaits that promise,
 *    so it is not a process-level failure any more and no exit code is set;
 * 1. the error event of the object the site runs in: `this.emit("error", …)`
 *    (or `this.emit(EV.ERROR, …)` with an event name of the literal type `"error"`)
 *    when the class (or constructor function, for `X.prototype.m =
 *    function …`) already emits `"error"` itself, so its users listen for it;
 * 2. a logger or error hook the surrounding code already calls —
 *    `this.logger.error(…)`, `log.error(…)`, `console.error(…)`,
 *    `this.onError(…)`, `options.onError?.(…)`, `handleError(…)` — the one
 *    in the innermost function around the site first, then its class, then
 *    the file; only one whose names mean the same at the site (the same
 *    binding, the same `this`). A hook the code calls only when it is set
 *    is called the same way, with what the code does otherwise (a reporter
 *    in the test's other branch) or the fallback when it is unset.
 *
 * The failure is handed over as the only argument (`this.logger.error(error)`).
 * In a file whose exit status reports the outcome (see `./process-facts.ts`),
 * `process.exitCode = 1` follows, so the process still exits non-zero.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import type { FailureHandler, ShimFunction } from "../rule.ts";
import { isFunctionNode, skipOuterExpressions } from "../analysis/functions.ts";
import { unrepeatablePart } from "./syntax.ts";
import type { Kind } from "../site.ts";
import { executorReject } from "./executor.ts";
import { codeStyle } from "./style.ts";

/**
 * `fix.errorChannel`: `auto` (the project's channel where the code around a
 * site has one, else the shim's logger), `shim` (always the shim's logger),
 * or a function of the project to report to where no channel is found —
 * `name` exported by `import` (a package specifier, or a path starting with
 * `./` or `../` relative to the project root).
 */
export type ErrorChannelSetting = "auto" | "shim" | { import: string; name: string };

/**
 * A project channel found for a site: the call that reports `error`, how
 * the report names it, and `whenSet` — the callee to test when the code
 * calls it only when it is set (`if (this.onError) this.onError(e)`,
 * `options.onError?.(e)`, an optional member), so the site reports to it
 * when it is set and to the fallback otherwise.
 */
interface Channel {
  call(error: string): string;
  label: string;
  whenSet?: string;
  /** What the code itself does when the hook is unset: a reporter in the other branch of the test (`else console.error(…)`). */
  otherwise?: Channel;
}

/**
 * A function of the project every site without a channel of its own reports
 * to: its name and the specifier the file imports it with.
 */
export interface ConfiguredChannel {
  name: string;
  specifier: string;
}

/** What {@link failureHandler} needs to know about the site besides its node. */
export interface HandlerInputs {
  checker: ts.TypeChecker;
  sourceFile: ts.SourceFile;
  /** The site's kind (only work that runs once can settle an enclosing promise). */
  kind: Kind;
  /** `shim` skips the search; otherwise the project's channel is looked for. */
  setting: "auto" | "shim";
  /** The configured fallback, when `fix.errorChannel` names one. */
  configured: ConfiguredChannel | undefined;
  /** The expression that names the process (`process`) when the file's exit status reports the outcome, else undefined. */
  exitProcess: string | undefined;
  /** Whether the file's statements end with `;`. */
  semicolons: boolean;
}

/**
 * The handler a site's failure is reported through.
 *
 * @param node the site's node (where the handler's names must mean what they mean in the channel's own calls).
 * @param taskName the task name literal, for the shim's logger.
 * @param inputs the checker, file, setting, configured fallback and exit-status process.
 */
export function failureHandler(node: ts.Node, taskName: () => string, inputs: HandlerInputs): FailureHandler {
  const executor = inputs.setting === "shim" ? undefined : executorReject(node, inputs.kind, inputs.checker);
  const end = inputs.semicolons ? ";" : "";
  if (executor !== undefined) {
    return {
      statements: (error) => [`${executor.name}(${error})${end}`],
      expression: (error) => `${executor.name}(${error})`,
      label: `${executor.name}() of the enclosing new Promise`,
      uses: [],
      imports: [],
      declarations: executor.declarations,
      shim: false,
    };
  }
  const found = inputs.setting === "shim" ? undefined : projectChannel(node, inputs.checker, inputs.sourceFile);
  const { configured, exitProcess } = inputs;
  const fallback: Channel & { uses: ShimFunction[]; imports: ConfiguredChannel[] } = configured !== undefined
    ? {
      call: (error) => `${configured.name}(${error})`,
      label: `${configured.name} (fix.errorChannel)`,
      uses: [],
      imports: [configured],
    }
    : (() => {
      let name: string | undefined;
      return {
        call: (error: string) => `logFailure(${name ??= taskName()}, ${error})`,
        label: "the shim's logger",
        uses: ["logFailure"],
        imports: [],
      };
    })();
  const exit = exitProcess === undefined ? [] : [`${exitProcess}.exitCode = 1`];
  const conditional = found?.whenSet !== undefined;
  const unset = found?.otherwise ?? fallback;
  const report = (error: string): string =>
    found === undefined
      ? fallback.call(error)
      : !conditional
      ? found.call(error)
      : `if (${found.whenSet} != null) { ${found.call(error)}${end} } else { ${unset.call(error)}${end} }`;
  const label = found === undefined
    ? fallback.label
    : conditional
    ? `${found.label} when set, else ${unset.label}`
    : found.label;
  const [uses, imports] = found === undefined || (conditional && found.otherwise === undefined)
    ? [fallback.uses, fallback.imports]
    : [[], []];
  return {
    statements: (
      error,
    ) => [conditional ? report(error) : `${report(error)}${end}`, ...exit.map((line) => `${line}${end}`)],
    expression: (error) => conditional || exit.length > 0 ? undefined : report(error),
    label: exitProcess === undefined ? label : `${label}, then ${exitProcess}.exitCode = 1`,
    uses,
    imports: imports.map(({ name, specifier }) => ({ name, specifier })),
    declarations: [],
    shim: found === undefined && configured === undefined,
  };
}

/** The project's channel for the site, nearest first (see the module comment), or undefined. */
function projectChannel(node: ts.Node, checker: ts.TypeChecker, sourceFile: ts.SourceFile): Channel | undefined {
  const scope = thisScope(node);
  const owner = scope === undefined ? undefined : ownerOf(scope);
  const event = owner === undefined || isStatic(scope!)
    ? undefined
    : facts(sourceFile, checker).errorEmitters.get(owner);
  if (event !== undefined) {
    const quote = codeStyle(sourceFile).quote;
    // The event as the class writes it (`EV.ERROR`) where that name means the same at the site.
    const name = ts.isStringLiteralLike(event) || !sameAt(event, node, checker)
      ? `${quote}error${quote}`
      : event.getText(sourceFile);
    return { call: (error) => `this.emit(${name}, ${error})`, label: `this.emit(${name.replaceAll("'", '"')})` };
  }
  let best: { call: ts.CallExpression; depth: number } | undefined;
  const enclosing = ancestorsOf(node);
  for (const call of facts(sourceFile, checker).reporters) {
    // The site's own work is what fails: a hook it calls is not where its failure goes.
    if (node.pos <= call.pos && call.end <= node.end) continue;
    if (
      !sameAt(call.expression, node, checker) || !takesAnyFailure(call, checker) || absence(call, checker) === "chain"
    ) {
      continue;
    }
    // The deepest function around both the site and the call: the closer the code, the likelier the channel.
    let depth = 0;
    for (let current: ts.Node | undefined = call; current !== undefined; current = current.parent) {
      if (enclosing.has(current)) {
        depth = enclosing.get(current)!;
        break;
      }
    }
    if (best === undefined || depth > best.depth) best = { call, depth };
  }
  if (best === undefined) return undefined;
  const chosen = best.call;
  const channel = (call: ts.CallExpression): Channel => {
    const callee = call.expression.getText(sourceFile).replace(/\s+/g, "");
    return { call: (error) => `${callee}(${error})`, label: `${callee}()` };
  };
  if (absence(chosen, checker) !== "callee") return channel(chosen);
  const otherBranch = otherBranchOf(chosen);
  const otherwise = otherBranch === undefined
    ? undefined
    : facts(sourceFile, checker).reporters.find((call) =>
      otherBranch.pos <= call.pos && call.end <= otherBranch.end && sameAt(call.expression, node, checker) &&
      takesAnyFailure(call, checker) && absence(call, checker) === "never"
    );
  return {
    ...channel(chosen),
    whenSet: chosen.expression.getText(sourceFile).replace(/\s+/g, ""),
    ...(otherwise === undefined ? {} : { otherwise: channel(otherwise) }),
  };
}

/** The other branch of the nearest `if … else` or `?:` (in the call's function) that the call is a branch of. */
function otherBranchOf(call: ts.Node): ts.Node | undefined {
  for (let child = call, parent = call.parent; parent !== undefined; child = parent, parent = parent.parent) {
    if (isFunctionNode(parent)) return undefined;
    if (ts.isIfStatement(parent) && child !== parent.expression) {
      if (parent.elseStatement === undefined) return undefined;
      return child === parent.thenStatement ? parent.elseStatement : parent.thenStatement;
    }
    if (ts.isConditionalExpression(parent) && child !== parent.condition) {
      return child === parent.whenTrue ? parent.whenFalse : parent.whenTrue;
    }
  }
  return undefined;
}

/**
 * Whether a reporter call may find nothing to call where it is: `callee`
 * when the function it calls may be unset (an optional call `f?.(e)`, a
 * member declared optional or typed to allow `null`/`undefined`, a call
 * under a test of that function: `if (this.onError) this.onError(e)`);
 * `chain` when an object it is reached through may be (`this.logger?.error`,
 * `if (log) log.error(e)`), so it cannot be called safely without its
 * surroundings; `never` otherwise.
 */
function absence(call: ts.CallExpression, checker: ts.TypeChecker): "never" | "callee" | "chain" {
  const callee = skipOuterExpressions(call.expression);
  const tested = testedTexts(call);
  let result: "never" | "callee" = "never";
  for (let part: ts.Node = callee, holder: ts.Node = call;;) {
    const optional = (ts.isCallExpression(holder) || ts.isPropertyAccessExpression(holder) ||
      ts.isElementAccessExpression(holder)) && holder.questionDotToken !== undefined;
    if (optional || declaredNullable(part, checker) || tested.has(part.getText().replace(/\s+/g, ""))) {
      if (part !== callee) return "chain";
      result = "callee";
    }
    if (!ts.isPropertyAccessExpression(part) && !ts.isElementAccessExpression(part)) return result;
    holder = part;
    part = skipOuterExpressions(part.expression);
  }
}

/** Whether the value a name or member access reads is declared optional or typed to allow `null`, `undefined` or `void`. */
function declaredNullable(node: ts.Node, checker: ts.TypeChecker): boolean {
  const name = ts.isPropertyAccessExpression(node) ? node.name : ts.isIdentifier(node) ? node : undefined;
  const symbol = name === undefined ? undefined : checker.getSymbolAtLocation(name);
  if (symbol === undefined) return false;
  if ((symbol.flags & ts.SymbolFlags.Optional) !== 0) return true;
  const type = checker.getTypeOfSymbol(symbol);
  return (type.isUnion() ? type.types : [type]).some((part) =>
    (part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)) !== 0
  );
}

/**
 * The expressions (as text, without white space) whose presence the
 * conditions around `node` in its function test: the condition of an `if`,
 * a `?:` or the left of `&&`/`||`/`??` that `node` is a branch of, read as a
 * truthiness test (`x`, `!x`, `x && …`), a comparison with `null` or
 * `undefined`, or a `typeof x`.
 */
function testedTexts(node: ts.Node): Set<string> {
  const found = new Set<string>();
  const collect = (condition: ts.Expression): void => {
    const visit = (current: ts.Node): void => {
      const inner = skipOuterExpressions(current);
      if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken) {
        return visit(inner.operand);
      }
      if (ts.isTypeOfExpression(inner)) return visit(inner.expression);
      if (ts.isBinaryExpression(inner) && isLogical(inner.operatorToken.kind)) {
        visit(inner.left);
        visit(inner.right);
        return;
      }
      if (ts.isBinaryExpression(inner) && isEquality(inner.operatorToken.kind)) {
        if (isNullish(inner.right)) return visit(inner.left);
        if (isNullish(inner.left)) return visit(inner.right);
      }
      found.add(inner.getText().replace(/\s+/g, ""));
    };
    visit(condition);
  };
  for (let child = node, parent = node.parent; parent !== undefined; child = parent, parent = parent.parent) {
    if (isFunctionNode(parent)) break;
    if (ts.isIfStatement(parent) && child !== parent.expression) collect(parent.expression);
    else if (ts.isConditionalExpression(parent) && child !== parent.condition) collect(parent.condition);
    else if (ts.isBinaryExpression(parent) && isLogical(parent.operatorToken.kind) && child === parent.right) {
      collect(parent.left);
    }
  }
  return found;
}

function isLogical(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.AmpersandAmpersandToken || kind === ts.SyntaxKind.BarBarToken ||
    kind === ts.SyntaxKind.QuestionQuestionToken;
}

function isEquality(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.EqualsEqualsToken || kind === ts.SyntaxKind.EqualsEqualsEqualsToken ||
    kind === ts.SyntaxKind.ExclamationEqualsToken || kind === ts.SyntaxKind.ExclamationEqualsEqualsToken;
}

/** `null`, `undefined` or `void …`. */
function isNullish(node: ts.Expression): boolean {
  const inner = skipOuterExpressions(node);
  return inner.kind === ts.SyntaxKind.NullKeyword || ts.isVoidExpression(inner) ||
    (ts.isIdentifier(inner) && inner.text === "undefined");
}

/** The site's ancestors that are functions or the file, each with its depth (the file 0, each function one deeper). */
function ancestorsOf(node: ts.Node): Map<ts.Node, number> {
  const chain: ts.Node[] = [];
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (isFunctionNode(current) || ts.isClassLike(current) || ts.isSourceFile(current)) chain.push(current);
  }
  return new Map(chain.reverse().map((ancestor, depth) => [ancestor, depth]));
}

/**
 * Whether `expression` (a callee or an event name written elsewhere in the
 * file) means at `site` what it means where it is: no part that cannot be
 * evaluated again, each identifier it starts from resolving to the same
 * declaration, and `this` (when it starts from `this`) being the same
 * object — both in instance members of one class, or in one function.
 */
function sameAt(expression: ts.Expression, site: ts.Node, checker: ts.TypeChecker): boolean {
  const inner = skipOuterExpressions(expression);
  if (unrepeatablePart(inner) !== undefined) return false;
  let root: ts.Node = inner;
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) {
    root = skipOuterExpressions(root.expression);
  }
  if (root.kind === ts.SyntaxKind.ThisKeyword) {
    const there = thisScope(expression);
    const here = thisScope(site);
    if (there === undefined || here === undefined) return false;
    if (there === here) return true;
    const owner = ownerOf(there);
    return owner !== undefined && owner === ownerOf(here) && !isStatic(there) && !isStatic(here);
  }
  if (!ts.isIdentifier(root)) return false;
  const symbol = checker.getSymbolAtLocation(root);
  if (symbol === undefined) return false;
  return checker.resolveName(root.text, site, ts.SymbolFlags.Value, false) === symbol;
}

/**
 * Whether the reporter's first parameter takes any value — `unknown`,
 * `any`, an unconstrained type parameter, or untyped JavaScript — as a
 * failure can be (`throw "text"`, a rejection with anything); a logger typed
 * `error(message: string | Error)` does not, and passing it a failure would
 * not type-check in a `catch (error)` clause (where `error` is `unknown`).
 */
function takesAnyFailure(call: ts.CallExpression, checker: ts.TypeChecker): boolean {
  const expected = checker.getContextualType(call.arguments[0]!);
  if (expected === undefined || (expected.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0) return true;
  return (expected.flags & ts.TypeFlags.TypeParameter) !== 0 && expected.getConstraint() === undefined;
}

/** Loggers' error methods: `logger.error(…)`, `this.log.error(…)`, `console.error(…)`. */
const LOGGER = /^[_#]?(log|logger|console)$|Logger$/i;

/** Error hooks and handlers by name: `onError`, `handleError`, `_reportError`, `errorHandler`, `errorCallback`. */
const ERROR_HOOK = /^[_#]?((on|handle|report)_?errors?|errors?_?(handler|callback|hook))$/i;

/**
 * Whether a call reports an error to a channel: a logger's `error` method or
 * an error hook, called with at least one argument.
 */
function isReporter(call: ts.CallExpression): boolean {
  if (call.arguments.length === 0) return false;
  const callee = skipOuterExpressions(call.expression);
  const name = nameOf(callee);
  if (name === undefined) return false;
  if (ERROR_HOOK.test(name)) return true;
  if (name !== "error" || !ts.isPropertyAccessExpression(callee)) return false;
  const receiver = nameOf(skipOuterExpressions(callee.expression));
  return receiver !== undefined && LOGGER.test(receiver);
}

function nameOf(node: ts.Node): string | undefined {
  if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  return undefined;
}

/**
 * What one file offers as channels: the owners (see {@link ownerOf}) that
 * emit `"error"` on `this`, each with the first event expression it writes
 * for it (`"error"`, or `EV.ERROR` typed as the literal `"error"`), and the
 * reporter calls.
 */
interface FileFacts {
  errorEmitters: Map<ts.Node | string, ts.Expression>;
  reporters: ts.CallExpression[];
}

const factsCache = new WeakMap<ts.SourceFile, FileFacts>();

function facts(sourceFile: ts.SourceFile, checker: ts.TypeChecker): FileFacts {
  const cached = factsCache.get(sourceFile);
  if (cached !== undefined) return cached;
  const found: FileFacts = { errorEmitters: new Map(), reporters: [] };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      const [event] = node.arguments;
      if (
        ts.isPropertyAccessExpression(callee) && callee.name.text === "emit" &&
        callee.expression.kind === ts.SyntaxKind.ThisKeyword && event !== undefined &&
        isErrorEvent(event, checker)
      ) {
        const scope = thisScope(node);
        const owner = scope === undefined ? undefined : ownerOf(scope);
        if (owner !== undefined && !found.errorEmitters.has(owner)) found.errorEmitters.set(owner, event);
      } else if (isReporter(node)) {
        found.reporters.push(node);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  factsCache.set(sourceFile, found);
  return found;
}

/** Whether an emitted event is `"error"`: written so, or of the string literal type `"error"` (`EV.ERROR`, an enum member). */
function isErrorEvent(event: ts.Expression, checker: ts.TypeChecker): boolean {
  if (ts.isStringLiteralLike(event)) return event.text === "error";
  const type = checker.getTypeAtLocation(event);
  return type.isStringLiteral() && type.value === "error";
}

/**
 * The function (or class property initializer) whose `this` a node sees:
 * the nearest enclosing one that is not an arrow function. Undefined at the
 * top level.
 */
function thisScope(node: ts.Node): ts.Node | undefined {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (ts.isArrowFunction(current)) continue;
    if (isFunctionNode(current) || ts.isPropertyDeclaration(current) || ts.isClassStaticBlockDeclaration(current)) {
      return current;
    }
  }
  return undefined;
}

/**
 * What `this` is an instance of in a `this` scope: the class it is a member
 * of, or, for a function assigned to `X.prototype.m` or a function
 * declaration `X` (a constructor function), the name `X`.
 */
function ownerOf(scope: ts.Node): ts.Node | string | undefined {
  const parent = scope.parent;
  if (parent !== undefined && ts.isClassLike(parent)) return parent;
  if (ts.isFunctionDeclaration(scope) && scope.name !== undefined) return scope.name.text;
  let holder = parent;
  while (holder !== undefined && ts.isParenthesizedExpression(holder)) holder = holder.parent;
  if (
    holder !== undefined && ts.isBinaryExpression(holder) && ts.isPropertyAccessExpression(holder.left) &&
    ts.isPropertyAccessExpression(holder.left.expression) && holder.left.expression.name.text === "prototype"
  ) {
    return skipOuterExpressions(holder.left.expression.expression).getText();
  }
  return undefined;
}

function isStatic(scope: ts.Node): boolean {
  return ts.isClassStaticBlockDeclaration(scope) ||
    (ts.canHaveModifiers(scope) &&
      ts.getModifiers(scope)?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword) === true);
}
