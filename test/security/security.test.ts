/**
 * The security suite (issue 12): every hostile request, command line and malformed file of cases.ts, sent from
 * the outside to the headless host, the dispatcher (as the browser) and the CLI. A case fails unless it is
 * rejected cleanly, crashed nothing and left the stored data as it was. `npm run security` runs the same cases
 * and writes docs/security.md.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FILE_CASES, HTTP_CASES, DISPATCH_CASES, SURFACES, caseIds } from './cases';
import { runSecuritySuite, type Outcome, type SuiteResult } from './harness';

let result: SuiteResult;
const byId = new Map<string, Outcome>();

beforeAll(async () => {
  result = await runSecuritySuite();
  for (const o of result.outcomes) byId.set(`${o.surface}/${o.id}`, o);
}, 600_000);

describe('security suite', () => {
  it('replays at least 40 hostile requests and 60 malformed files', () => {
    expect(HTTP_CASES.length + DISPATCH_CASES.length).toBeGreaterThanOrEqual(40);
    expect(FILE_CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(FILE_CASES.map((f) => f.id)).size).toBe(FILE_CASES.length);
  });

  it('harness controls: valid requests succeed on every surface', () => {
    expect(result.controls.filter((c) => !c.ok)).toEqual([]);
    expect(result.controls.length).toBeGreaterThanOrEqual(4);
  });

  for (const s of SURFACES) {
    describe(s.title, () => {
      it.each(caseIds()[s.id])('%s', (id) => {
        const o = byId.get(`${s.id}/${id}`);
        expect(o, `no outcome for ${s.id}/${id}`).toBeDefined();
        const failures = [
          o!.crashed ? 'crashed' : '',
          o!.dataLost ? 'data lost' : '',
          !o!.clean ? `not rejected cleanly: ${o!.detail}` : '',
        ].filter(Boolean);
        expect(failures, `${o!.title} — expected: ${o!.expect}`).toEqual([]);
      });
    });
  }
});
