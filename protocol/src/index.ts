export * from './errors.js';
export * from './auth.js';
export * from './classes.js';
export * from './live.js';
export * from './recordings.js';
export * from './client-config.js';
export * from './collab.js';
