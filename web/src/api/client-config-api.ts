import { clientConfigSchema, type ClientConfig } from '@educloud/protocol';
import type { ApiClient } from './api-client.js';

export function getClientConfig(api: ApiClient): Promise<ClientConfig> {
  return api.request('/api/client-config', { auth: 'none', schema: clientConfigSchema });
}
