/** Each import cycle among the modules under `srcDir`, as sorted paths relative to it. */
export declare function importCycles(srcDir: string): string[][];
/** Module → the modules it imports statically (absolute paths). */
export declare function importGraph(srcDir: string): Map<string, Set<string>>;
