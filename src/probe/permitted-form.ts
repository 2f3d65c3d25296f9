/**
 * A denied answer is not the end: when an open was refused for lack of
 * privilege and its user-space-only form (bases.ts USER_SPACE_ONLY:
 * exclude_kernel, exclude_hv) opens for this caller, the entry records that
 * form as `permittedWith`, which the shim then uses (kernel-access-step).
 * The engine's standard declarations and hooks (ctx.permitted) share this.
 */
import type { AttrInput } from '../abi/attr-codec';
import type { FeatureEntry } from '../model/capability-map';
import { userSpaceForm, USER_SPACE_ONLY } from './bases';

/** `opens(attr)`: whether that attr opens for this caller (the caller closes what it opened). */
export function withPermittedForm(e: FeatureEntry, attr: AttrInput, opens: (attr: AttrInput) => boolean): FeatureEntry {
  const form = e.status === 'denied' && e.permittedWith === undefined ? userSpaceForm(attr) : undefined;
  if (!form || !opens(form)) return e;
  return { ...e, permittedWith: { ...USER_SPACE_ONLY }, reason: `${e.reason ?? 'denied'}; permitted for this caller user space only (exclude_kernel, exclude_hv)` };
}
