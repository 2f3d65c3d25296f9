/**
 * The stand-in wording rule lives once, in the shim (src/shim/missing-event-text.ts),
 * where planOpen's event step words its refusals and stand-ins; `probe stat` uses the same.
 */
export { missingText, missingTextForAll } from '../../shim/missing-event-text';
