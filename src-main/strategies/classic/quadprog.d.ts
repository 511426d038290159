/**
 * Types for the `quadprog` npm package (a port of R's quadprog, Goldfarb–Idnani dual method). Arrays are
 * 1-indexed as in the Fortran original: element 0 is unused. Solves min -d'b + 1/2 b'Db s.t. A'b >= b0, the
 * first `meq` constraints as equalities. Dmat, dvec and Amat are overwritten by the solver.
 */
declare module 'quadprog' {
  export interface QuadprogResult {
    solution: number[];
    Lagrangian: number[];
    value: number[];
    unconstrained_solution: number[];
    iterations: number[];
    iact: number[];
    message: string;
  }
  export function solveQP(
    Dmat: number[][],
    dvec: number[],
    Amat: number[][],
    bvec: number[],
    meq?: number,
    factorized?: number[],
  ): QuadprogResult;
  const quadprog: { solveQP: typeof solveQP };
  export default quadprog;
}
