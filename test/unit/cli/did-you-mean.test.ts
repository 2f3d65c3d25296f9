import assert from 'node:assert/strict';
import { ABI_FEATURES } from '../../../src/abi/features';
import { didYouMean, editDistance } from '../../../src/cli/did-you-mean';

describe('cli did-you-mean', () => {
  it('computes edit distance', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('same', 'same'), 0);
  });

  const ids = ABI_FEATURES.map((f) => f.id);

  it('suggests the id a typo came from, nearest first', () => {
    assert.equal(didYouMean('read_format.lots', ids)[0], 'read_format.lost');
    assert.equal(didYouMean('attr.sigtarp', ids)[0], 'attr.sigtrap');
  });

  it('finds an id from its last segment alone', () => {
    assert.ok(didYouMean('lost', ids).includes('read_format.lost'));
  });

  it('suggests nothing for something unrelated', () => {
    assert.deepEqual(didYouMean('zzzzzzzzzzzzzzzz', ids), []);
  });
});
