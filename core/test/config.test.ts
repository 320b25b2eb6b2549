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
    expect(refusal({ KIPPER_KUBE: 'cloud' })).toMatch(/^KIPPER_KUBE must be auto, sim, kubeconfig or in-cluster/);
    expect(refusal({ KIPPER_SIM_STATE: 'cluster.json' })).toBe('KIPPER_SIM_STATE must be memory or an absolute file path, got "cluster.json"');
    expect(refusal({ KIPPER_GIT_PROTOCOLS: 'https,ext' })).toMatch(/^KIPPER_GIT_PROTOCOLS is a comma-separated list/);
    expect(refusal({ KIPPER_ADMIN_TOKEN: 'short' })).toMatch(/^KIPPER_ADMIN_TOKEN must be at least 32 characters/);
  });

  it('keeps the simulator in memory unless KIPPER_SIM_STATE names a file', () => {
    expect(loadConfig({ HOME: '/nonexistent' }).simulatorState).toBeUndefined();
    expect(loadConfig({ HOME: '/nonexistent', KIPPER_SIM_STATE: 'memory' }).simulatorState).toBeUndefined();
    expect(loadConfig({ HOME: '/nonexistent', KIPPER_SIM_STATE: '/var/lib/kipper/kube-sim.json' }).simulatorState).toBe('/var/lib/kipper/kube-sim.json');
  });

  it('uses the pod service account with KIPPER_KUBE=in-cluster, and only inside a pod', () => {
    expect(loadConfig({ HOME: '/nonexistent', KIPPER_KUBE: 'in-cluster', KUBERNETES_SERVICE_HOST: '10.0.0.1' }).cluster).toEqual({ kind: 'in-cluster' });
    expect(refusal({ KIPPER_KUBE: 'in-cluster' })).toMatch(/^KIPPER_KUBE=in-cluster but KUBERNETES_SERVICE_HOST is not set/);
  });

  it('never prints the password of a database or Redis URL it refuses', () => {
    const message = refusal({ KIPPER_DATABASE_URL: 'mysql://kipper:s3cret-pw@db:3306/kipper' });
    expect(message).toMatch(/^KIPPER_DATABASE_URL must start with postgres:\/\//);
    expect(message).not.toContain('s3cret-pw');
    expect(message).toContain('kipper:***@db');
  });
});
