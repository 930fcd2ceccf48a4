/**
 * Every entity the data source knows. Listed by hand (not globbed) so the same
 * list works from TypeScript sources under jest and from compiled output.
 */
export const entities: Function[] = [];
