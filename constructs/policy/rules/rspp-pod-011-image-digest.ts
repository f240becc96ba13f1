import { asString } from '../manifest-object';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';

/** `repo@sha256:<64 hex>`, with or without a tag before the digest. */
const DIGEST_PINNED = /@sha256:[0-9a-f]{64}$/;

export const RSPP_POD_011: PolicyRule = {
  id: 'RSPP-POD-011',
  title: 'images pinned by digest (@sha256:), never a tag alone',
  why: 'A tag can be moved: the same manifest would run different code on different days and nodes.',
  fix: 'reference the image as registry/repo@sha256:<digest>',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const c of w.containers) {
        const image = asString(c.container.image);
        if (image === undefined || !DIGEST_PINNED.test(image)) {
          out.push(violation(w.object, [...c.path, 'image'], `container "${c.name}" image ${JSON.stringify(image ?? null)} is not pinned by digest`));
        }
      }
    }
    return out;
  },
};
