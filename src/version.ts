/** The tool's version, kept equal to package.json's by a test (test/version.test.ts). */
export const VERSION = "0.1.0";
