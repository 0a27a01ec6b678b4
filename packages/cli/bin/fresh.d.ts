export declare function distIsFresh(packagesDir: string): boolean;
