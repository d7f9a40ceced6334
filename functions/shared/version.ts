/** Schakel's own version (package.json), named as the generator in every audit export's manifest. */
export const SCHAKEL_VERSION = '0.1.0';
