export { loadConfig, ConfigError, type Config } from './config.js';
export { startServer, type RunningServer } from './server.js';
