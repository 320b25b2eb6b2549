# One image for every Kipper process: the api (which serves the console), the worker and the
# Kubernetes API simulator differ only in their command (compose.yaml, deploy/kubernetes/).
#
# Stage 1 installs everything and builds; it then keeps only what runs: production dependencies
# (`npm prune --omit=dev`: no TypeScript, vitest, esbuild or embedded PostgreSQL), each package's
# package.json and dist/, the console's build and the kip CLI.
FROM node:20-bookworm-slim AS build
WORKDIR /kipper
COPY package.json package-lock.json ./
COPY kube-sim/package.json kube-sim/
COPY kube/package.json kube/
COPY core/package.json core/
COPY api/package.json api/
COPY worker/package.json worker/
COPY client/package.json client/
COPY cli/package.json cli/
COPY console/package.json console/
COPY schema/package.json schema/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir /out \
 && cp -a package.json node_modules /out/ \
 && for p in kube-sim kube core api worker client cli; do mkdir -p /out/$p && cp -a $p/package.json $p/dist /out/$p/; done \
 && cp -a cli/bin /out/cli/ \
 && mkdir -p /out/console /out/schema \
 && cp -a console/dist /out/console/ \
 && cp -a schema/package.json schema/schema.graphql /out/schema/

# Stage 2: the runtime, owned by root and run as the unprivileged `node` user (uid 1000, what
# deploy/kubernetes/ sets as runAsUser): the process cannot change its own code, so a read-only
# root filesystem works.
FROM node:20-bookworm-slim
# git: the worker resolves branch heads of watched git apps with `git ls-remote`.
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /kipper
ENV NODE_ENV=production
COPY --from=build /out/ /kipper/
USER node
# 8080: the api (GraphQL, webhooks, console); 8081: the worker's health and metrics.
EXPOSE 8080 8081
CMD ["node", "api/dist/main.js"]
