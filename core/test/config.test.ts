import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@kipper/core';

const refusal = (env: Record<string, string>) => {
  try {
    loadConfig({ HOME: '/nonexistent', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return null;
};

describe('configuration from KIPPER_* variables', () => {
  it('has safe local defaults', () => {
    const config = loadConfig({ HOME: '/nonexistent' });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/kipper',
      redisUrl: 'redis://127.0.0.1:6379',
      publicUrl: 'http://127.0.0.1:8080',
      adminToken: undefined,
      cluster: { kind: 'simulator' },
      gitProtocols: ['https', 'ssh', 'git'],
    });
  });

  it('names the variable that is wrong, in one line', () => {
    expect(refusal({ KIPPER_PORT: 'eighty' })).toBe('KIPPER_PORT must be a whole number from 0 to 65535, got "eighty"');
    expect(refusal({ KIPPER_KUBE: 'cloud' })).toMatch(/^KIPPER_KUBE must be auto, sim or kubeconfig/);
    expect(refusal({ KIPPER_GIT_PROTOCOLS: 'https,ext' })).toMatch(/^KIPPER_GIT_PROTOCOLS is a comma-separated list/);
    expect(refusal({ KIPPER_ADMIN_TOKEN: 'short' })).toMatch(/^KIPPER_ADMIN_TOKEN must be at least 32 characters/);
  });

  it('never prints the password of a database or Redis URL it refuses', () => {
    const message = refusal({ KIPPER_DATABASE_URL: 'mysql://kipper:s3cret-pw@db:3306/kipper' });
    expect(message).toMatch(/^KIPPER_DATABASE_URL must start with postgres:\/\//);
    expect(message).not.toContain('s3cret-pw');
    expect(message).toContain('kipper:***@db');
  });
});
