# One image for every Kipper process: the api (which serves the console), the worker and the
# Kubernetes API simulator differ only in their command (see compose.yaml).
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
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# git: the worker resolves branch heads of watched git apps with `git ls-remote`.
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /kipper
ENV NODE_ENV=production
COPY --from=build /kipper /kipper
USER node
EXPOSE 8080
CMD ["node", "api/dist/main.js"]
