/**
 * Per-function summaries: what one function starts, now or later, read from
 * its own body and the symbols its calls resolve to. A summary is a plain,
 * serialisable record (functions are named by {@link FunctionId}, never by
 * node), so a cache can keep it per file; the program's graph of functions
 * (`graph.ts`) is built from the summaries alone.
 *
 * A function's own body excludes the bodies of functions nested in it: each
 * nested function has a summary of its own, and the enclosing function has an
 * edge to it when it starts it (calls it, hands it to a timer, a listener, a
 * promise continuation or any other call, stores it).
 *
 * @module
 */
import { ts } from "./ts.ts";
import { ProgramMemo } from "./memo.ts";
import { LISTENER_METHODS, TIMER_KINDS } from "./callbacks.ts";
import { boundedBy, constructorOf, insideItemLoop, ITEM_METHODS, onFailurePath, resolveFunction } from "./calls.ts";
import {
  calledName,
  enclosingFunction,
  functionName,
  type FunctionNode,
  indirectCallee,
  isAsyncFunction,
  isFunctionNode,
  isGeneratorFunction,
  skipOuterExpressions,
  unwrapBind,
  yieldsIn,
} from "./functions.ts";

/** An `if` whose block returns, by its start offset, and which of its ways an edge is on: inside the block (`then`) or after it. */
export interface Fork {
  readonly guard: number;
  readonly then: boolean;
}

/** A function or declaration of the program's own sources: `<file name>:<start offset>`. */
export type FunctionId = string;

/**
 * What an edge starts:
 *
 * - `function`: a function of the program (by id);
 * - `parameter`: the summarised function's own parameter at that index (a
 *   callback it was given: whatever its callers pass there), or with `of`
 *   the parameter of a function it is nested in, which it reads as a
 *   closure (`function done() { callback(); }` inside `monitor(callback)`);
 * - `stored`: a variable or property a function is stored in
 *   (`this.onTick = f; … this.onTick()`), by the id of the symbol's first
 *   declaration: every function stored there; or the listeners of one event
 *   of one emitter type (see {@link eventKey}): an `emit` of that event runs
 *   every listener the program registers for it;
 * - `dispatch`: a method of an interface, an abstract method or a method
 *   subclasses may override, by the id of its declaration: every
 *   implementation in the program;
 * - `returnedBy`: the functions a function of the program returns
 *   (`once("close", closeHandler(this))` with `closeHandler` returning one).
 */
export type Target =
  | { readonly function: FunctionId }
  | { readonly returnedBy: FunctionId }
  | { readonly parameter: number; readonly of?: FunctionId }
  | { readonly stored: FunctionId }
  | { readonly dispatch: FunctionId };

/**
 * How an edge starts its target: `call` (now, synchronously), `continuation`
 * (a `.then`/`.catch`/`.finally` callback), `deferral` (a timer or queue:
 * `setTimeout`, `setInterval`, `setImmediate`, `queueMicrotask`,
 * `process.nextTick`, `requestAnimationFrame`), `listener` (registered for
 * an event: `.on(…)`, `addEventListener`, `x.onclose = f`), `emit` (runs
 * now, synchronously, the listeners registered for an event: `this.emit(…)`),
 * `callback` (handed to another call, which calls it back).
 */
export type EdgeKind = "call" | "continuation" | "deferral" | "listener" | "emit" | "callback";

/** One "starts later or now" edge of a function. */
export interface Edge {
  readonly to: Target;
  readonly kind: EdgeKind;
  /**
   * Whether the target starts only after waiting — for time (a timer with a
   * delay), I/O (the edge follows an `await`/`yield`, also on a later turn of
   * a loop that awaits; a promise continuation; a callback handed to another
   * call) or an event (a listener). A deferral to the next turn
   * (`setImmediate`, `queueMicrotask`, `process.nextTick`, `setTimeout`
   * without a delay) does not wait: it steps through what is already there.
   */
  readonly yields: boolean;
  /** For a deferral: it starts its target again and again (`setInterval`), not once. */
  readonly repeats?: true;
  /** Why the edge cannot close a loop, when it cannot: started once per item, only on failure, or only while work is pending / attempts remain (see `calls.ts`). */
  readonly limit?: string;
  /** For a limit read from one way of an `if` whose block returns: that `if`; when both ways start the work again the limit does not hold (see `graph.ts`). */
  readonly fork?: Fork;
  /** For a call: what each argument hands over (a function, or one of the caller's own parameters), else null. */
  readonly arguments?: readonly (Target | null)[];
  /**
   * For a dispatch through another object than `this` inside a class: that
   * class, whose own implementation is not a target — a call of the same
   * member on an inner object of the same interface delegates to another
   * object (a wrapper's `this.child.send()` inside its own `send`).
   */
  readonly besides?: FunctionId;
  /** The 1-based line of the edge, for evidence. */
  readonly line: number;
}

/** A function (or a parameter of the summarised function) stored in a variable or property, or registered as a listener of an event. */
export interface Store {
  /** The id of the variable's or property's first declaration, or an event's {@link eventKey}. */
  readonly stored: FunctionId;
  readonly value: Target;
}

/** What one function starts, as a plain record. */
export interface FunctionSummary {
  readonly id: FunctionId;
  /** The function's name, or how it is used (`callback of setTimeout`), with its line: for evidence. */
  readonly name: string;
  readonly edges: readonly Edge[];
  readonly stores: readonly Store[];
  /** The functions it returns (or the parameters it hands back). */
  readonly returns: readonly Target[];
  /** The ids of the interface, abstract or base-class members this method implements or overrides. */
  readonly implements: readonly FunctionId[];
  /** For a method (or function-valued field) of a class: the class's id. */
  readonly memberOf?: FunctionId;
  /** For a function nested in another function's body: that function's id. */
  readonly enclosedBy?: FunctionId;
  /**
   * The function of the program this one only forwards to: its body is one
   * call of it, bare, returned, awaited or voided (`() => this.onCron()`,
   * `async () => { await tick(); }`).
   */
  readonly forwards?: FunctionId;
}

/** The id of a function or declaration node. */
export function functionId(node: ts.Node): FunctionId {
  const file = node.getSourceFile();
  return `${file.fileName}:${node.getStart(file)}`;
}

/** Platform functions that run their callback later, besides the timers (by name: platform APIs). */
const DEFERRALS: ReadonlySet<string> = new Set([...TIMER_KINDS.keys(), "nextTick", "requestAnimationFrame"]);

/** Promise continuation methods. */
const CONTINUATIONS: ReadonlySet<string> = new Set(["then", "catch", "finally"]);

/** Methods that remove a listener: they hand a function over without starting it. */
const REMOVES_LISTENER = /^(remove|off$|removeListener|removeEventListener)/;

/**
 * The summaries of every function of a file, and of its top level (id
 * `<file name>:module`, stores only), in source order. Memoised per
 * program: what a call resolves to depends on the other files.
 *
 * @param checker the program's type checker.
 * @param file a source file of the program's own sources.
 * @param names the program's {@link ProgramNames}.
 */
export function summariesOf(
  checker: ts.TypeChecker,
  file: ts.SourceFile,
  names: ProgramNames,
): readonly FunctionSummary[] {
  const cached = summaries.get(file);
  if (cached !== undefined) return cached;
  const found: FunctionSummary[] = [];
  const moduleStores: Store[] = [];
  new Summariser(checker, file, names, found, moduleStores).visitScope(file, undefined);
  found.push({
    id: `${file.fileName}:module`,
    name: "module top level",
    edges: [],
    stores: moduleStores,
    returns: [],
    implements: [],
  });
  summaries.set(file, found);
  return found;
}

const summaries = new ProgramMemo<ts.SourceFile, readonly FunctionSummary[]>();

/** Reads one file's functions into summaries. */
class Summariser {
  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly file: ts.SourceFile,
    private readonly names: ProgramNames,
    private readonly found: FunctionSummary[],
    private readonly moduleStores: Store[],
  ) {}

  /** Summarises the functions in `scope` (a function's body or the file); `owner` is the function, undefined at top level. */
  visitScope(scope: ts.Node, owner: FunctionNode | undefined): void {
    const edges: Edge[] = [];
    const called = new Map<ts.Node, FunctionId>();
    const stores: Store[] = owner === undefined ? this.moduleStores : [];
    const returns: Target[] = [];
    let yielded = false;
    const yieldingLoops = new Set<ts.Node>();
    const afterYield = (node: ts.Node): boolean => {
      if (owner === undefined || !(isAsyncFunction(owner) || isGeneratorFunction(owner))) return false;
      if (yielded) return true;
      for (let current = node.parent; current !== undefined && current !== owner; current = current.parent) {
        if (yieldingLoops.has(current)) return true;
      }
      return false;
    };
    const add = (node: ts.Node, to: Target, kind: EdgeKind, extra: EdgeExtra = {}): void => {
      const limited = extra.limit !== undefined
        ? { limit: extra.limit }
        : owner === undefined
        ? undefined
        : limitOf(node, owner, kind, this.checker);
      const edge: { -readonly [K in keyof Edge]: Edge[K] } = {
        to,
        kind,
        yields: (extra.yields ?? false) || afterYield(node),
        line: this.file.getLineAndCharacterOfPosition(node.getStart(this.file)).line + 1,
      };
      if (limited !== undefined) edge.limit = limited.limit;
      if (limited?.fork !== undefined) edge.fork = limited.fork;
      if (extra.besides !== undefined) edge.besides = extra.besides;
      if (extra.repeats === true) edge.repeats = true;
      if (kind === "call" && "function" in to) called.set(node, to.function);
      if (extra.arguments !== undefined && extra.arguments.some((argument) => argument !== null)) {
        edge.arguments = extra.arguments;
      }
      edges.push(edge);
    };
    const visit = (node: ts.Node): void => {
      if (isFunctionNode(node)) {
        this.summarise(node);
        return;
      }
      if (owner !== undefined && isLoop(node) && containsYield(node)) yieldingLoops.add(node);
      if (ts.isReturnStatement(node) && node.expression !== undefined && owner !== undefined) {
        const returned = this.handedTarget(node.expression, owner);
        if (returned !== null) returns.push(returned);
      }
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) this.call(node, owner, add, stores);
      else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        this.assignment(node, owner, add, stores);
      }
      ts.forEachChild(node, visit);
      if (
        ts.isAwaitExpression(node) || ts.isYieldExpression(node) ||
        (ts.isForOfStatement(node) && node.awaitModifier !== undefined)
      ) {
        yielded = true;
      }
    };
    if (owner === undefined) ts.forEachChild(scope, visit);
    else {
      for (const parameter of owner.parameters) ts.forEachChild(parameter, visit);
      if (owner.body !== undefined) visit(owner.body);
      if (owner.body !== undefined && !ts.isBlock(owner.body)) {
        const returned = this.handedTarget(owner.body, owner);
        if (returned !== null) returns.push(returned);
      }
      const summary: { -readonly [K in keyof FunctionSummary]: FunctionSummary[K] } = {
        id: functionId(owner),
        name: displayName(owner, this.file),
        edges,
        stores,
        returns,
        implements: this.implemented(owner),
      };
      const memberOf = classOf(owner);
      if (memberOf !== undefined) summary.memberOf = functionId(memberOf);
      const enclosing = enclosingFunction(owner);
      if (enclosing !== undefined) summary.enclosedBy = functionId(enclosing);
      const only = onlyCall(owner);
      const forwards = only === undefined ? undefined : called.get(only);
      if (forwards !== undefined) summary.forwards = forwards;
      this.found.push(summary);
    }
  }

  private summarise(fn: FunctionNode): void {
    this.visitScope(fn, fn);
  }

  /**
   * The edges of a call or `new`: to its callee, and to the functions handed
   * to it; a platform `emit` of an event of the program's own emitter type
   * starts that event's listeners, and a listener registered for one is
   * stored under the event (see {@link eventKeys}).
   */
  private call(
    call: ts.CallExpression | ts.NewExpression,
    owner: FunctionNode | undefined,
    add: AddEdge,
    stores: Store[],
  ): void {
    const name = calledName(call);
    const callee = indirectCallee(call.expression);
    const handed = (call.arguments ?? []).map((argument) => this.handedTarget(argument, owner));
    const target = ts.isNewExpression(call)
      ? constructorOf(this.checker, callee)
      : resolveFunction(this.checker, callee);
    const parameter = this.parameterTarget(owner, callee);
    if (target !== undefined) add(call, { function: functionId(target) }, "call", { arguments: handed });
    else if (parameter !== undefined) add(call, parameter, "call");
    // A field with an initial function may hold another one later: `this.next = this.tick`.
    const stored = parameter !== undefined ? undefined : this.storedTarget(callee);
    if (stored !== undefined) add(call, { stored }, "call");
    const dispatch = ts.isPropertyAccessExpression(callee) ? this.memberId(callee) : undefined;
    if (dispatch !== undefined) {
      const caller = enclosingClass(call);
      const receiver = skipOuterExpressions((callee as ts.PropertyAccessExpression).expression);
      const delegates = caller !== undefined && receiver.kind !== ts.SyntaxKind.ThisKeyword;
      add(call, { dispatch }, "call", delegates ? { besides: functionId(caller) } : {});
    }
    // A function handed to one of the program's own functions starts when that function calls it (see `graph.ts`).
    if (target !== undefined || REMOVES_LISTENER.test(name)) return;
    if (name === "emit" && ts.isCallExpression(call)) {
      for (const stored of eventKeys(this.checker, call, false)) add(call, { stored }, "emit");
    }
    handed.forEach((to, index) => {
      if (to === null) return;
      const argument = call.arguments![index]!;
      if (ts.isNewExpression(call)) add(argument, to, "call");
      else if (DEFERRALS.has(name)) {
        const yields = waitsFor(call, name);
        add(argument, to, "deferral", name === "setInterval" ? { yields, repeats: true } : { yields });
      } else if (LISTENER_METHODS.has(name)) {
        add(argument, to, "listener", { yields: true });
        for (const stored of eventKeys(this.checker, call, true)) stores.push({ stored, value: to });
      } else if (CONTINUATIONS.has(name) && ts.isPropertyAccessExpression(callee)) {
        const onFailure = name === "catch" || (name === "then" && index === 1);
        add(argument, to, "continuation", onFailure ? { yields: true, limit: FAILURE } : { yields: true });
      } else if (ITEM_METHODS.has(name)) add(argument, to, "callback", { limit: "once per item" });
      else add(argument, to, "callback", { yields: true });
    });
  }

  /** `x.onclose = f` registers a listener; `this.fn = f` (or a parameter) stores a function to be called later. */
  private assignment(node: ts.BinaryExpression, owner: FunctionNode | undefined, add: AddEdge, stores: Store[]): void {
    const value = this.handedTarget(node.right, owner);
    if (value === null) return;
    const left = skipOuterExpressions(node.left);
    if (ts.isPropertyAccessExpression(left) && /^on[a-z]+$/.test(left.name.text)) {
      add(node, value, "listener", { yields: true });
    }
    if (!ts.isIdentifier(left) && !ts.isPropertyAccessExpression(left)) return;
    const stored = this.declarationId(left);
    if (stored !== undefined) stores.push({ stored, value });
  }

  /**
   * What an argument, assigned or returned value hands over: a function
   * (inline, by reference, bound), a parameter of `owner`, or what a call of
   * one of the program's functions returns.
   */
  private handedTarget(expression: ts.Node, owner: FunctionNode | undefined): Target | null {
    const value = unwrapBind(skipOuterExpressions(expression));
    if (isFunctionNode(value)) return { function: functionId(value) };
    if (ts.isCallExpression(value)) {
      const maker = resolveFunction(this.checker, value.expression);
      return maker === undefined ? null : { returnedBy: functionId(maker) };
    }
    if (!ts.isIdentifier(value) && !ts.isPropertyAccessExpression(value)) return null;
    const parameter = this.parameterTarget(owner, value);
    if (parameter !== undefined) return parameter;
    const fn = resolveFunction(this.checker, value);
    if (fn !== undefined) return { function: functionId(fn) };
    const stored = this.storedTarget(value);
    return stored === undefined ? null : { stored };
  }

  /**
   * The parameter a name reads: one of `owner`'s own, or (by the checker's
   * symbol, so a local of the same name is not one) one of a function
   * `owner` is nested in, read as a closure.
   */
  private parameterTarget(owner: FunctionNode | undefined, reference: ts.Node): Target | undefined {
    if (owner === undefined || !ts.isIdentifier(reference)) return undefined;
    const own = parameterIndex(owner, reference);
    if (own >= 0) return { parameter: own };
    const declaration = this.checker.getSymbolAtLocation(reference)?.declarations?.[0];
    if (declaration === undefined || !ts.isParameter(declaration) || !ts.isIdentifier(declaration.name)) {
      return undefined;
    }
    const outer = declaration.parent;
    if (!isFunctionNode(outer) || outer === owner) return undefined;
    for (let current = owner.parent; current !== undefined; current = current.parent) {
      if (current === outer) return { parameter: outer.parameters.indexOf(declaration), of: functionId(outer) };
    }
    return undefined;
  }

  /** The variable or property a callee reads a stored function from, when the program stores functions under its name. */
  private storedTarget(callee: ts.Node): FunctionId | undefined {
    if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee)) return undefined;
    const name = ts.isIdentifier(callee) ? callee.text : callee.name.text;
    if (!this.names.stored.has(name)) return undefined;
    return this.declarationId(callee);
  }

  /**
   * The id of the first declaration of the symbol a name or property access
   * refers to, in the program's own sources; for a property of a receiver
   * without a type (untyped JavaScript: `socket.onError = f` on a parameter),
   * `name:` and the property's name.
   */
  private declarationId(reference: ts.Identifier | ts.PropertyAccessExpression): FunctionId | undefined {
    const symbol = this.checker.getSymbolAtLocation(ts.isIdentifier(reference) ? reference : reference.name);
    if (
      symbol === undefined && ts.isPropertyAccessExpression(reference) &&
      (this.checker.getTypeAtLocation(reference.expression).flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0
    ) {
      return `name:${reference.name.text}`;
    }
    const declaration = symbol?.declarations?.[0];
    return declaration === undefined || declaration.getSourceFile().isDeclarationFile
      ? undefined
      : functionId(declaration);
  }

  /** For `receiver.method(…)`: the id of the class or interface member called, when subclasses or implementations may provide it. */
  private memberId(callee: ts.PropertyAccessExpression): FunctionId | undefined {
    if (!this.names.dispatched.has(callee.name.text)) return undefined;
    const declaration = this.checker.getSymbolAtLocation(callee.name)?.declarations?.[0];
    if (declaration === undefined || declaration.getSourceFile().isDeclarationFile) return undefined;
    return declaration.parent !== undefined &&
        (ts.isClassLike(declaration.parent) || ts.isInterfaceDeclaration(declaration.parent))
      ? functionId(declaration)
      : undefined;
  }

  /** The members of base classes and interfaces that a method implements or overrides. */
  private implemented(fn: FunctionNode): FunctionId[] {
    const member = ts.isPropertyDeclaration(fn.parent) ? fn.parent : fn;
    const owner = member.parent;
    const name = functionName(fn);
    if (owner === undefined || !ts.isClassLike(owner) || name === undefined || ts.isConstructorDeclaration(fn)) {
      return [];
    }
    const found: FunctionId[] = [];
    for (const clause of owner.heritageClauses ?? []) {
      for (const base of clause.types) {
        const declaration = this.checker.getTypeAtLocation(base).getProperty(name)?.declarations?.[0];
        if (declaration !== undefined && !declaration.getSourceFile().isDeclarationFile) {
          found.push(functionId(declaration));
        }
      }
    }
    return found;
  }
}

/** What an edge may add to its target and kind. */
interface EdgeExtra {
  yields?: boolean;
  limit?: string;
  arguments?: (Target | null)[];
  besides?: FunctionId;
  repeats?: true;
}

type AddEdge = (node: ts.Node, to: Target, kind: EdgeKind, extra?: EdgeExtra) => void;

/**
 * The keys under which `receiver.emit(event, …)` or `receiver.on(event, f)`
 * finds or stores listeners: `event:<declaration id>:<name>` for an event
 * name of a string or number literal type (`"trigger"`, a constant or enum
 * member of that type: `EV.ERROR`) on a receiver whose type is a class or
 * interface of the program's own sources. An emit is keyed by its
 * receiver's own type; a listener also by each base type of the program
 * (an emit in a base class may run on an instance of the subclass the
 * listener was registered on). None for another receiver (a library's
 * emitter, an untyped value), or an event name known only at run time.
 */
function eventKeys(checker: ts.TypeChecker, call: ts.CallExpression, withBases: boolean): string[] {
  const callee = skipOuterExpressions(call.expression);
  const event = call.arguments[0];
  if (!ts.isPropertyAccessExpression(callee) || event === undefined) return [];
  let name: string | undefined;
  if (ts.isStringLiteralLike(event)) name = event.text;
  else {
    const type = checker.getTypeAtLocation(event);
    if (type.isStringLiteral() || type.isNumberLiteral()) name = String(type.value);
  }
  if (name === undefined) return [];
  const keys: string[] = [];
  const visit = (type: ts.Type): void => {
    const declaration = type.getSymbol()?.declarations?.find((node) =>
      ts.isClassLike(node) || ts.isInterfaceDeclaration(node)
    );
    if (declaration === undefined || declaration.getSourceFile().isDeclarationFile) return;
    const key = `event:${functionId(declaration)}:${name}`;
    if (keys.includes(key)) return;
    keys.push(key);
    const generic = (type as ts.TypeReference).target;
    const own = type.isClassOrInterface() ? type : generic?.isClassOrInterface() ? generic : undefined;
    if (withBases && own !== undefined) { for (const base of checker.getBaseTypes(own)) visit(base); }
  };
  const receiver = checker.getApparentType(checker.getNonNullableType(checker.getTypeAtLocation(callee.expression)));
  visit(receiver);
  return keys;
}

/** The nearest class around a node. */
function enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (ts.isClassLike(current)) return current;
  }
  return undefined;
}

/** The class a function is a method, accessor, constructor or function-valued field of. */
function classOf(fn: FunctionNode): ts.ClassLikeDeclaration | undefined {
  const member = ts.isPropertyDeclaration(fn.parent) ? fn.parent : fn;
  return member.parent !== undefined && ts.isClassLike(member.parent) ? member.parent : undefined;
}

/**
 * Whether a deferral waits: a timer or interval with a delay (any delay
 * other than a literal 0, including one read from a variable), or a frame
 * (`requestAnimationFrame`); not `setImmediate`, `queueMicrotask`,
 * `process.nextTick`, or `setTimeout(f)`/`setTimeout(f, 0)`.
 */
function waitsFor(call: ts.CallExpression, name: string): boolean {
  if (name === "requestAnimationFrame") return true;
  if (name !== "setTimeout" && name !== "setInterval") return false;
  const delay = call.arguments[1];
  return delay !== undefined && !(ts.isNumericLiteral(skipOuterExpressions(delay)) &&
    Number((skipOuterExpressions(delay) as ts.NumericLiteral).text) === 0);
}

/** The limit of a start made only on failure: a retry until the first success. */
const FAILURE = "only on failure";

/**
 * Why a start at `node` inside `owner` cannot close a loop, or undefined
 * (see `calls.ts`): once per item; only on failure (in a `catch` clause),
 * unless it is a deferral — a timer set on failure retries after a delay
 * until the failure clears, the shape of a reconnect or poll loop, while a
 * call made on failure reports it or falls back once; only while work is
 * pending or attempts remain.
 */
function limitOf(
  node: ts.Node,
  owner: FunctionNode,
  kind: EdgeKind,
  checker: ts.TypeChecker,
): { limit: string; fork?: Fork } | undefined {
  if (insideItemLoop(node, owner, checker)) return { limit: "once per item" };
  if (kind !== "deferral" && onFailurePath(node, owner)) return { limit: FAILURE };
  const bound = boundedBy(node, owner, checker);
  if (bound === undefined) return undefined;
  return bound.fork === undefined
    ? { limit: `only while ${bound.condition}` }
    : { limit: `only while ${bound.condition}`, fork: bound.fork };
}

/** The call that is a function's whole body (bare, returned, awaited or voided), if it is one. */
function onlyCall(fn: FunctionNode): ts.CallExpression | undefined {
  const body = fn.body;
  if (body === undefined) return undefined;
  let expression: ts.Node | undefined = body;
  if (ts.isBlock(body)) {
    const only = body.statements.length === 1 ? body.statements[0]! : undefined;
    expression = only !== undefined && (ts.isExpressionStatement(only) || ts.isReturnStatement(only))
      ? only.expression
      : undefined;
  }
  while (expression !== undefined) {
    expression = skipOuterExpressions(expression);
    if (ts.isAwaitExpression(expression) || ts.isVoidExpression(expression)) expression = expression.expression;
    else break;
  }
  return expression !== undefined && ts.isCallExpression(expression) ? expression : undefined;
}

/** The index of the parameter of `fn` that `reference` names (a plain identifier parameter), or -1. */
function parameterIndex(fn: FunctionNode, reference: ts.Node): number {
  if (!ts.isIdentifier(reference)) return -1;
  return fn.parameters.findIndex((parameter) =>
    ts.isIdentifier(parameter.name) && parameter.name.text === reference.text
  );
}

function isLoop(node: ts.Node): boolean {
  return ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForStatement(node) ||
    ts.isForOfStatement(node) || ts.isForInStatement(node);
}

/** Whether a loop awaits or yields in its own body (not in nested functions): its later turns run after a yield. */
function containsYield(loop: ts.Node): boolean {
  return (ts.isForOfStatement(loop) && loop.awaitModifier !== undefined) || yieldsIn(loop);
}

/** A function's name, or what it is handed to (`callback of setTimeout`), with its line. */
function displayName(fn: FunctionNode, file: ts.SourceFile): string {
  const line = file.getLineAndCharacterOfPosition(fn.getStart(file)).line + 1;
  const name = functionName(fn);
  if (name !== undefined) return `${name} (line ${line})`;
  let child: ts.Node = fn;
  let parent = fn.parent;
  while (parent !== undefined && ts.isParenthesizedExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
  if (
    parent !== undefined && (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== child
  ) {
    return `callback of ${calledName(parent) || "a call"} (line ${line})`;
  }
  return `function (line ${line})`;
}

/**
 * Names read from the syntax of every file of a program: the names it
 * stores functions under (the left side of `x = f`, `this.fn = f`,
 * `this.fn = callback`; only a call of such a name can read a stored
 * function) and the member names of classes that extend a class or
 * implement an interface (only a call of such a name can dispatch), so
 * other calls skip the symbol lookup.
 */
export interface ProgramNames {
  readonly stored: Pick<ReadonlySet<string>, "has">;
  readonly dispatched: Pick<ReadonlySet<string>, "has">;
}

/**
 * The names one file stores functions under (assignments whose value is a
 * function, a name or a property access) and the member names of its
 * classes that have a base class or interface, read from syntax alone.
 *
 * @param file a parsed file.
 */
export function namesOf(file: ts.SourceFile): { stored: string[]; dispatched: string[] } {
  const cached = fileNames.get(file);
  if (cached !== undefined) return cached;
  const result = { stored: [] as string[], dispatched: [] as string[] };
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const value = unwrapBind(skipOuterExpressions(node.right));
      const left = skipOuterExpressions(node.left);
      if (isFunctionNode(value) || ts.isIdentifier(value) || ts.isPropertyAccessExpression(value)) {
        if (ts.isIdentifier(left)) result.stored.push(left.text);
        else if (ts.isPropertyAccessExpression(left)) result.stored.push(left.name.text);
      }
    }
    if (ts.isClassLike(node) && (node.heritageClauses?.length ?? 0) > 0) {
      for (const member of node.members) {
        const name = member.name;
        if (name !== undefined && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name))) {
          result.dispatched.push(name.text);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  fileNames.set(file, result);
  return result;
}

const fileNames = new WeakMap<ts.SourceFile, { stored: string[]; dispatched: string[] }>();
