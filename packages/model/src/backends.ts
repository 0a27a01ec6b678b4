// The backend names alone, with no tfjs import: the CLI offers them as `--backend` choices
// without paying tfjs's load time (`@tooltune/model/backends`). The order is the auto chain.
export const BACKENDS = ["tensorflow", "native", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];
