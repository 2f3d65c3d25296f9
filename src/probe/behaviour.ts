/**
 * The public face of the behaviour checks (what src/index.ts re-exports):
 * run them, ask for one, and the types a user case is written against.
 */
export { runBehaviourChecks, runBehaviourTests, ensureBehaviour, addBehaviourEntries } from './behaviour-runner';
export type { BehaviourOptions } from './behaviour-runner';
export type {
  BehaviourCheck, BehaviourResult, Verdict as BehaviourVerdict, EventDecl as BehaviourEventDecl,
  WorkDecl as BehaviourWorkDecl, WorkResult as BehaviourWorkResult, Expectation as BehaviourExpectation,
} from './behaviour-types';
export type { BehaviourContext, OpenedEvent as BehaviourOpenedEvent } from './behaviour-context';
