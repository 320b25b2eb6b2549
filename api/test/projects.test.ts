import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { codeOf, count, createProject, ok, simStatus } from './helpers.js';

let k: RunningKipper;
beforeAll(async () => {
  k = await startKipper();
});
afterAll(async () => {
  await k?.stop();
});

describe('createProject', () => {
  it('creates the project, its ordered environments and their namespaces in the cluster', async () => {
    const data = ok(
      await k.graphql<{ createProject: { name: string; displayName: string; environments: { name: string; position: number; namespace: string; next: { name: string } | null }[] } }>(
        'mutation { createProject(input: { name: "yourr-name", displayName: "Yourr Name" }) { name displayName environments { name position namespace next { name } } } }',
      ),
    );
    expect(data.createProject).toEqual({
      name: 'yourr-name',
      displayName: 'Yourr Name',
      environments: [
        { name: 'test', position: 0, namespace: 'yourr-name-test', next: { name: 'acc' } },
        { name: 'acc', position: 1, namespace: 'yourr-name-acc', next: { name: 'prod' } },
        { name: 'prod', position: 2, namespace: 'yourr-name-prod', next: null },
      ],
    });
    for (const ns of ['yourr-name-test', 'yourr-name-acc', 'yourr-name-prod']) expect(await simStatus(k, `/api/v1/namespaces/${ns}`)).toBe(200);
    const audit = (await k.kipper.services.dataSource.query(`SELECT actor, action, target FROM audit_entry WHERE action = 'project.create'`)) as unknown[];
    expect(audit).toEqual([{ actor: 'admin', action: 'project.create', target: 'yourr-name' }]);
  });

  it('takes a custom pipeline and lists projects with their environments', async () => {
    await createProject(k, 'shop', ['dev', 'prod']);
    const data = ok(await k.graphql<{ projects: { name: string; environments: { name: string }[] }[] }>('{ projects { name environments { name } } }'));
    expect(data.projects).toContainEqual({ name: 'shop', environments: [{ name: 'dev' }, { name: 'prod' }] });
    expect(ok(await k.graphql<{ project: unknown }>('{ project(name: "nope") { id } }')).project).toBeNull();
  });

  it('refuses a second project of the same name with PROJECT_EXISTS', async () => {
    expect(codeOf(await k.graphql('mutation { createProject(input: { name: "shop" }) { id } }'))).toBe('PROJECT_EXISTS');
  });

  it('refuses bad names with VALIDATION_FAILED and writes nothing, in the database or the cluster', async () => {
    const before = { projects: await count(k, 'project'), environments: await count(k, 'environment'), audit: await count(k, 'audit_entry') };
    const cases = [
      { name: 'Bad_Name' },
      { name: '-leading' },
      { name: 'ok', environments: ['test', 'test'] },
      { name: 'ok', environments: ['UPPER'] },
      { name: 'a'.repeat(40), environments: ['b'.repeat(30)] },
      { name: '' },
    ];
    for (const input of cases) {
      const res = await k.graphql('mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }', { input });
      expect(codeOf(res), JSON.stringify(input)).toBe('VALIDATION_FAILED');
      expect(res.errors![0]!.message.length).toBeGreaterThan(20);
    }
    expect({ projects: await count(k, 'project'), environments: await count(k, 'environment'), audit: await count(k, 'audit_entry') }).toEqual(before);
    expect(await simStatus(k, '/api/v1/namespaces/ok-test')).toBe(404);
  });

  it('refuses a project whose namespace another project already uses, with CONFLICT and nothing written', async () => {
    await createProject(k, 'a', ['b-c']);
    const before = await count(k, 'project');
    expect(codeOf(await k.graphql('mutation { createProject(input: { name: "a-b", environments: ["c"] }) { id } }'))).toBe('CONFLICT');
    expect(await count(k, 'project')).toBe(before);
  });
});
