/** Messages between the job runner (parent) and a job process (child). */
export type ParentMessage = { type: 'start'; kind: string; params: unknown } | { type: 'cancel' };
export type ChildMessage =
  | { type: 'progress'; fraction: number | null; message: string; figures?: Record<string, number> }
  | { type: 'done'; result: unknown }
  | { type: 'error'; message: string; cancelled: boolean };
