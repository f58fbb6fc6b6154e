# syntax=docker/dockerfile:1
# Build stage: the same commands CI runs (npm ci, npm run build); test/unit/compose.test.ts checks that.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled code only, as the unprivileged `node` user.
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
USER node
# api, dashboard, worker metrics
EXPOSE 8080 3000 9464
ENTRYPOINT ["node", "bin/neupush.js"]
CMD ["worker"]
