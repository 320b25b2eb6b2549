export { loadConfig, ConfigError, type KipperConfig } from './config/config.js';
export { ErrorCode } from './errors/error-code.js';
export { KipperError } from './errors/kipper-error.js';
export { openDatabase, createDataSource, ensureDatabase } from './database/data-source.js';
