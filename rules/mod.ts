/**
 * The rule registry: every spawn-kind rule the scanner runs. Adding a kind
 * means adding its folder here and one line below.
 *
 * @module
 */
import type { Rule } from "../src/rule.ts";
import { timersRule } from "./timers/rule.ts";
import { floatingPromiseRule } from "./floating-promise/rule.ts";
import { asyncListenerRule } from "./async-listener/rule.ts";
import { workerRule } from "./worker/rule.ts";

/** All rules, in the order their findings are reported within one file position. */
export const RULES: readonly Rule[] = [timersRule, floatingPromiseRule, asyncListenerRule, workerRule];
