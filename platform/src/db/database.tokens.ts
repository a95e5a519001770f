/** Nest injection token for the open DatabaseHandle (see openDatabase). */
export const DATABASE = Symbol.for('pakawaaz.Database');
