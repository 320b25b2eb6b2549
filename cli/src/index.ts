export { runCli, buildProgram } from './program.js';
export { CliError, UsageError, ExitCode } from './errors.js';
export { configPath, readConfig, writeConfig, resolveConfig } from './config.js';
export type { Io } from './output.js';
