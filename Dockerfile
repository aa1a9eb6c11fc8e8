# countersign's container image: one image, two commands.
#   docker run <image> gate        the GitHub App (port 3000)
#   docker run <image> reconcile   the in-cluster reconciler (--config <file>; port 8080)
# Built for Kubernetes' restricted Pod Security profile: numeric non-root user, nothing written
# outside the mounted spool directory and /tmp (both emptyDir volumes in the Helm chart), so the
# root filesystem can be read-only. docs/install.md shows the build and the chart that runs it.

# The current Node.js LTS line; the code itself supports Node >= 20.19 (package.json engines).
ARG NODE_VERSION=24
ARG DEBIAN_RELEASE=trixie

# ---- build: compile TypeScript and fetch the init process -------------------------------------
FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS build
# tini-static: a statically linked init, copied alone into the runtime image (no apt there).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so the layer is reused while only the sources change. --ignore-scripts:
# the package's own `prepare` (tsc) needs the sources, copied below; no dependency needs a script
# to run countersign (only esbuild, a dev tool, has one).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime ----------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS runtime
# HOME: a directory the process may write to if anything asks for one (the root filesystem is
# read-only; the chart mounts an emptyDir on /tmp).
ENV NODE_ENV=production HOME=/tmp
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, then npm itself goes: nothing at run time installs anything, and
# every tool left in the image is one more thing to patch.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf /root/.npm /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
COPY --from=build /src/dist ./dist
# The default risk policy pack (the chart mounts the operator's pack over this directory) and the
# GitHub App manifest.
COPY policies ./policies
COPY app.yml ./
COPY --from=build /usr/bin/tini-static /usr/local/bin/tini
# `countersign` on the PATH, as npm would link the package's bin; the spool directory exists (owned
# by the runtime user) for runs without a volume, and the chart mounts an emptyDir over it.
RUN chmod 0755 /app/dist/cli/index.js \
 && ln -s /app/dist/cli/index.js /usr/local/bin/countersign \
 && mkdir -p /var/lib/countersign/spool \
 && chown -R 10001:10001 /var/lib/countersign
# Numeric, so Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 10001:10001
EXPOSE 3000 8080
# tini is PID 1: it forwards SIGTERM/SIGINT to countersign (which shuts down gracefully) and reaps
# any child process; node as PID 1 would ignore signals it has no handler for.
ENTRYPOINT ["/usr/local/bin/tini", "--", "countersign"]
CMD ["gate"]
