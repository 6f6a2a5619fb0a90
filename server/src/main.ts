import process from 'node:process';
import dotenv from 'dotenv';
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

dotenv.config({ quiet: true });

async function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const server = await startServer(config);
  server.logger.info({ url: server.url }, 'EduCloud Live is up');
  console.log(`EduCloud Live is running: open ${server.url}`);
  let signals = 0;
  const stop = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    server.logger.info({ signal }, 'signal received');
    server.close().then(
      () => process.exit(0),
      (err) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  console.error('EduCloud Live failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
