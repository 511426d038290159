/**
 * Child process of test/store/concurrency.test.ts: a long writer. Takes the write lock of the database named by
 * argv[2] (BEGIN IMMEDIATE), says 'locked', holds it for argv[3] milliseconds, rolls back and exits.
 */
import Database from 'better-sqlite3';

const db = new Database(process.argv[2]!);
db.exec('BEGIN IMMEDIATE');
process.send!('locked');
setTimeout(() => {
  db.exec('ROLLBACK');
  db.close();
  process.disconnect();
}, Number(process.argv[3]));
