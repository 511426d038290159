/**
 * The market regime labels for the Regimes view and the explanations by regime. They live in the market layer
 * (market/regimes.ts, which states the rules) so that the learned strategic level of the three-level hierarchy, an
 * agent below this layer, reads the same regimes the desk shows; this module keeps the explain layer's imports.
 */
export * from '../market/regimes';
