import { describe, expect, it } from 'vitest';
import { compareApp, describeDifferences, describeForeign, type DesiredState } from '@kipper/worker/testing';

/** How the reconciler tells the cluster from the record, in its words. */
describe('worker: drift between the cluster and the record', () => {
  const desired: DesiredState = { namespace: 'shop-test', name: 'web', image: 'r/web:v1', replicas: 2, host: 'web.example.com', revision: 4 };
  const deployment = { image: 'r/web:v1', replicas: 2, managed: true, annotations: {} };

  it('nothing to say when the objects match', () => {
    const c = compareApp({ deployment, service: { managed: true }, ingress: { managed: true, host: 'web.example.com' } }, desired);
    expect(c).toEqual({ missing: [], foreign: [], image: null, replicas: null, host: null });
    expect(describeDifferences(c)).toEqual([]);
  });

  it('missing objects, a changed image, replicas and host', () => {
    expect(compareApp({ deployment: null, service: null, ingress: null }, desired).missing).toEqual(['Deployment', 'Service', 'Ingress']);
    expect(compareApp({ deployment: null, service: null, ingress: null }, { ...desired, host: null }).missing).toEqual(['Deployment', 'Service']);
    const c = compareApp({ deployment: { ...deployment, image: 'r/web:x', replicas: 5 }, service: { managed: true }, ingress: { managed: true, host: 'old.example.com' } }, desired);
    expect(describeDifferences(c)).toEqual([
      'image is r/web:x (Kipper deployed r/web:v1)',
      'replicas are 5 (the app has 2)',
      'Ingress host is old.example.com (the app has web.example.com)',
    ]);
    const stale = compareApp({ deployment, service: { managed: true }, ingress: { managed: true, host: 'web.example.com' } }, { ...desired, host: null });
    expect(describeDifferences(stale)).toEqual(['an Ingress for web.example.com exists (the app has no host)']);
  });

  it("objects Kipper did not create are reported, never compared; someone else's Ingress of an app without host is none of its business", () => {
    const c = compareApp({ deployment: { ...deployment, image: 'their/x:1', managed: false }, service: { managed: false }, ingress: { managed: false, host: 'x' } }, desired);
    expect(c.image).toBeNull();
    expect(describeForeign(c, desired)).toEqual([
      'Deployment shop-test/web exists and is not managed by Kipper; left alone',
      'Service shop-test/web exists and is not managed by Kipper; left alone',
      'Ingress shop-test/web exists and is not managed by Kipper; left alone',
    ]);
    expect(compareApp({ deployment, service: { managed: true }, ingress: { managed: false, host: 'x' } }, { ...desired, host: null }).foreign).toEqual([]);
  });
});
