import { describe, expect, it } from 'vitest';
import { droppedCamera } from './drag';

describe('droppedCamera', () => {
  it('takes a camera id and name, and nothing else', () => {
    expect(droppedCamera('{"id":"SXJ001","name":"淮海路枪机1"}')).toEqual({ id: 'SXJ001', name: '淮海路枪机1' });
    expect(droppedCamera('{"id":"SXJ001"}')).toEqual({ id: 'SXJ001', name: 'SXJ001' });
    for (const bad of [null, '', 'not json', '{"id":7}', '{"id":""}', `{"id":"${'x'.repeat(200)}"}`, '[]']) expect(droppedCamera(bad)).toBeNull();
  });
});
