import { describe, expect, it } from 'vitest';
import { channels } from '../../src-shared/contract';
import { handlers } from '../../src-main/services';

describe('contract and handlers', () => {
  it('every channel has exactly one handler and every handler a channel', () => {
    expect(Object.keys(handlers).sort()).toEqual([...channels].sort());
  });
});
