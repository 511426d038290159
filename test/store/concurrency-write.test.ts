/**
 * The two write helpers of store/db.ts on one connection: the asynchronous one never joins a transaction some
 * other task left open on the connection, the synchronous one nests inside an open transaction as a savepoint.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, writeTransaction, writeTransactionSync, type DB } from '../../src-main/store/db';
import { tempDir } from '../helpers/engine';

const dir = tempDir('hdrl-write-helpers-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let db: DB;
let n = 0;
beforeEach(() => {
  db = openDatabase(path.join(dir, `w${++n}.db`));
});
afterEach(() => db.close());

const universes = () => (db.prepare('SELECT id FROM universes ORDER BY id').all() as { id: string }[]).map((r) => r.id);
const addUniverse = (id: string) =>
  db.prepare(`INSERT INTO universes (id, name, created_at) VALUES (?, ?, 'now')`).run(id, id);

it('writeTransaction waits for a transaction another task left open on the connection, then commits on its own', async () => {
  db.exec('BEGIN IMMEDIATE');
  addUniverse('abandoned');
  const write = writeTransaction(db, () => addUniverse('mine'));
  // the other task gives up its transaction a little later
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(db.inTransaction).toBe(true);
  db.exec('ROLLBACK');
  await write;
  expect(universes()).toEqual(['mine']);
});

it('writeTransactionSync inside a transaction is part of it: rolled back with it', () => {
  db.exec('BEGIN IMMEDIATE');
  writeTransactionSync(db, () => addUniverse('inner'));
  expect(db.inTransaction).toBe(true);
  db.exec('ROLLBACK');
  expect(universes()).toEqual([]);
});

it('a failing write transaction leaves nothing and passes its error on', async () => {
  const fail = () => {
    addUniverse('half');
    throw new Error('refused');
  };
  expect(() => writeTransactionSync(db, fail)).toThrow('refused');
  await expect(writeTransaction(db, fail)).rejects.toThrow('refused');
  expect(universes()).toEqual([]);
  expect(db.inTransaction).toBe(false);
});
