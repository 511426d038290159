/** The PM's note on a run's decision for a date: approve, reject or comment. Stored in the database. */
import { z } from 'zod';
import { Id, IsoDate, LongText, method } from './define';

export const NoteStatus = z.enum(['comment', 'approved', 'rejected']);
export const Note = z.object({ runId: Id, date: IsoDate, status: NoteStatus, text: z.string(), updatedAt: z.string() });
export type Note = z.infer<typeof Note>;

export const noteMethods = {
  'notes.get': method(
    'The note on a run and date, or null',
    z.object({ runId: Id, date: IsoDate }).strict(),
    Note.nullable(),
  ),
  'notes.set': method(
    'Save the note on a run and date (an empty text with status comment deletes it)',
    z.object({ runId: Id, date: IsoDate, status: NoteStatus, text: LongText }).strict(),
    Note.nullable(),
  ),
};
