# The image `tooltune export argo` runs each stage in: the repository, installed and built.
#   docker build -t tooltune:latest .
# GPU stages: start FROM a CUDA image with Node 20 instead, and add
#   RUN npm install --no-save @tensorflow/tfjs-node-gpu
# (its install downloads libtensorflow, which needs the network at build time).
FROM node:20-bookworm
WORKDIR /app
COPY . .
# npm ci builds the native kernels (g++ is in the image); nx builds every package's dist/
RUN npm ci && npx nx run-many -t build && rm -rf runs
ENV NX_DAEMON=false
