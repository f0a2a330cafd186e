// The exceptions form's pure helpers: Kibana's operators ↔ entry shapes, and the inputs' text ↔ lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPERATORS, operatorOf, withOperator, splitList, joinList, commentsFrom, commentsText, canonical } from '../../www/exceptions/model.js';

test('every Kibana operator maps to one entry shape and back', () => {
  assert.deepEqual(OPERATORS.map((o) => o.label), [
    'is', 'is not', 'is one of', 'is not one of', 'exists', 'does not exist', 'matches', 'does not match', 'is in list', 'is not in list',
  ]);
  for (const o of OPERATORS) {
    const entry = withOperator({ field: 'process.name', value: 'sort' }, o.label);
    assert.equal(entry.type, o.type);
    assert.equal(entry.operator, o.operator);
    assert.equal(entry.field, 'process.name');
    assert.equal(operatorOf(entry), o.label);
  }
});

test('values carry over between one value and a list', () => {
  assert.deepEqual(withOperator({ field: 'f', type: 'match', value: 'a' }, 'is one of').value, ['a']);
  assert.equal(withOperator({ field: 'f', type: 'match_any', value: ['a', 'b'] }, 'matches').value, 'a');
  assert.deepEqual(withOperator({ field: 'f', type: 'match', value: '' }, 'is one of').value, []);
  assert.equal('value' in withOperator({ field: 'f', type: 'match', value: 'a' }, 'exists'), false);
  assert.deepEqual(withOperator({ field: 'f' }, 'is in list').list, { id: '', type: 'keyword' });
});

test('comma lists and comments', () => {
  assert.deepEqual(splitList(' a, b ,,c '), ['a', 'b', 'c']);
  assert.equal(joinList(['a', 'b']), 'a, b');
  const old = [{ comment: 'kept', id: '1', created_by: 'x' }];
  assert.deepEqual(commentsFrom('kept\n\nnew one\n', old), [old[0], { comment: 'new one' }]);
  assert.equal(commentsText(old), 'kept');
  assert.equal(commentsText(undefined), '');
});

test('canonical JSON ignores key order', () => {
  assert.equal(canonical({ b: 1, a: [{ d: 2, c: 3 }] }), canonical({ a: [{ c: 3, d: 2 }], b: 1 }));
  assert.notEqual(canonical({ a: 1 }), canonical({ a: 2 }));
});
