# syntax=docker/dockerfile:1
# Node 24, the current LTS, in the image; CI tests on Node 20.19, the oldest the package supports.
# Build stage: the same commands CI runs (npm ci, npm run build); test/unit/compose.test.ts checks that.
# --ignore-scripts: the package's own `prepare` (a build, for git and tarball installs) would run before
# the sources are copied. No production dependency needs its install script: msgpackr-extract's only
# looks for a prebuilt binary, which it also does at run time (and msgpackr falls back to JavaScript).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled code only, as the unprivileged `node` user.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
USER node
# api, dashboard, worker metrics
EXPOSE 8080 3000 9464
ENTRYPOINT ["node", "bin/neupush.js"]
CMD ["worker"]
